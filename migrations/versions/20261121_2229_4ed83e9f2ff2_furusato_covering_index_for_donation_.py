"""furusato: covering index for donation searches

A period with any other condition (search.conditions) is counted, totalled and grouped by
month from this index alone; at a million donations the plain applied_on index made the
count and total look up every donation of the period (search p95 0.76 s on SQLite). It leads
with applied_on, so it serves everything the plain index served.

Revision ID: 4ed83e9f2ff2
Revises: 29b8141a447b
Create Date: 2026-11-21 22:29:31.752003

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4ed83e9f2ff2'
down_revision = '29b8141a447b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('furusato_donations', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_donations_search', ['applied_on', 'status', 'one_stop', 'amount',
                                                               'portal_id', 'prefecture', 'gift_code', 'gift_name'],
                              unique=False)
        batch_op.drop_index(batch_op.f('ix_furusato_donations_applied_on'))


def downgrade():
    with op.batch_alter_table('furusato_donations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_donations_applied_on'), ['applied_on'], unique=False)
        batch_op.drop_index('ix_furusato_donations_search')
