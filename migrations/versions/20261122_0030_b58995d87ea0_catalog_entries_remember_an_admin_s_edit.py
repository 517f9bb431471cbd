"""catalog entries remember an admin's edit

Revision ID: b58995d87ea0
Revises: 4ed83e9f2ff2
Create Date: 2026-11-22 00:30:46.533659

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b58995d87ea0'
down_revision = '4ed83e9f2ff2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('counter_procedures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admin_edited_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('counter_procedures', schema=None) as batch_op:
        batch_op.drop_column('admin_edited_at')

