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
    # entries an admin edited before this revision: their edits are in the audit log
    # (update_procedure records action 'update' on object_type 'procedure'; loads record nothing)
    op.execute(
        "UPDATE counter_procedures SET admin_edited_at = ("
        " SELECT MAX(a.at) FROM audit_entries a WHERE a.object_type = 'procedure' AND a.action = 'update'"
        " AND a.object_id = CAST(counter_procedures.id AS VARCHAR(64)))"
    )



def downgrade():
    with op.batch_alter_table('counter_procedures', schema=None) as batch_op:
        batch_op.drop_column('admin_edited_at')

