"""users work within a programme

Each account gets a programme scope (000 別紙 §10, 004 特記事項 §10: personal data of one contract
is not used for the other): `counter`, `furusato`, or `all` for administrators, and the flag
`number_handler` (事務取扱担当者, 004 特記事項 §9). Accounts made before this worked at the counter,
which is what they get; administrators get every programme. A CHECK keeps `all` to admins.

Revision ID: a1c3e5f70b92
Revises: 7a3d2b9e4c10
Create Date: 2026-12-02 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f70b92'
down_revision = '7a3d2b9e4c10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=20), nullable=False, server_default='counter'))
        batch_op.add_column(sa.Column('number_handler', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE users SET scope = 'all' WHERE role = 'admin'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_users_scope'), "scope IN ('counter', 'furusato', 'all')")
        batch_op.create_check_constraint(batch_op.f('ck_users_scope_all_admin'), "scope <> 'all' OR role = 'admin'")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_scope_all_admin'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_users_scope'), type_='check')
        batch_op.drop_column('number_handler')
        batch_op.drop_column('scope')
