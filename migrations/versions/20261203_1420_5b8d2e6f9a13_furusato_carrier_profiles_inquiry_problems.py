"""furusato: a supplier's carrier profile, and the inquiry that opened a shipping problem (issue 18)

Revision ID: 5b8d2e6f9a13
Revises: 3c257f6bde43
Create Date: 2026-12-02 16:30:00

Two new columns: every existing supplier gets the default profile (Yamato B2クラウド, which was
the only one until now) through the server default; no other data moves.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b8d2e6f9a13'
down_revision = '3c257f6bde43'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('furusato_suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carrier', sa.String(length=20), server_default='yamato_b2', nullable=False))
    with op.batch_alter_table('furusato_shipping_problems', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inquiry_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_furusato_shipping_problems_inquiry_id'), ['inquiry_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_furusato_shipping_problems_inquiry_id_furusato_inquiries'),
                                    'furusato_inquiries', ['inquiry_id'], ['id'])


def downgrade():
    with op.batch_alter_table('furusato_shipping_problems', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_furusato_shipping_problems_inquiry_id_furusato_inquiries'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_furusato_shipping_problems_inquiry_id'))
        batch_op.drop_column('inquiry_id')
    with op.batch_alter_table('furusato_suppliers', schema=None) as batch_op:
        batch_op.drop_column('carrier')
