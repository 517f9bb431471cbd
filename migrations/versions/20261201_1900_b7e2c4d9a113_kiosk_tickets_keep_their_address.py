"""queue: a kiosk ticket keeps the address its press came from, for the kiosk's rate limit

Revision ID: b7e2c4d9a113
Revises: a1c3e5f70b92
Create Date: 2026-12-01 19:00:00

Tickets issued before have no address (""): they count for no address, and a minute later for
nothing at all.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e2c4d9a113'
down_revision = 'a1c3e5f70b92'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('queue_tickets') as batch_op:
        batch_op.add_column(sa.Column('issued_from', sa.String(length=45), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('queue_tickets') as batch_op:
        batch_op.drop_column('issued_from')
