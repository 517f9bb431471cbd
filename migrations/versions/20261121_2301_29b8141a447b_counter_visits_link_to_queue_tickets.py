"""counter visits link to queue tickets

Revision ID: 29b8141a447b
Revises: d16b6001fe7f
Create Date: 2026-11-21 23:01:38.449548

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '29b8141a447b'
down_revision = 'd16b6001fe7f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('counter_visits', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_counter_visits_ticket_id_queue_tickets'), 'queue_tickets', ['ticket_id'], ['id'])



def downgrade():
    with op.batch_alter_table('counter_visits', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_counter_visits_ticket_id_queue_tickets'), type_='foreignkey')

