"""queue: service categories, tickets, calls, ticket history, daily sequences, settings

Revision ID: d16b6001fe7f
Revises: 107292c3d3db
Create Date: 2026-11-21 21:16:34.940677

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd16b6001fe7f'
down_revision = '107292c3d3db'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('letter', sa.String(length=2), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=True),
    sa.Column('closes', sa.Time(), nullable=True),
    sa.Column('minutes_per_ticket', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_queue_categories_code'))
    )
    op.create_table('queue_sequences',
    sa.Column('office_day', sa.Date(), nullable=False),
    sa.Column('letter', sa.String(length=2), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('office_day', 'letter', name=op.f('pk_queue_sequences'))
    )
    op.create_table('queue_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recalls_before_no_show', sa.Integer(), nullable=False),
    sa.Column('cashier_place', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_settings'))
    )
    op.create_table('queue_category_counters',
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['queue_categories.id'], name=op.f('fk_queue_category_counters_category_id_queue_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_queue_category_counters_counter_id_counters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('category_id', 'counter_id', name=op.f('pk_queue_category_counters'))
    )
    op.create_table('queue_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_day', sa.Date(), nullable=False),
    sa.Column('letter', sa.String(length=2), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('original_category_id', sa.Integer(), nullable=False),
    sa.Column('target_counter_id', sa.Integer(), nullable=True),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('priority', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('first_called_at', sa.DateTime(), nullable=True),
    sa.Column('called_at', sa.DateTime(), nullable=True),
    sa.Column('served_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('no_show_at', sa.DateTime(), nullable=True),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('transfers', sa.Integer(), nullable=False),
    sa.Column('cashier_sent_at', sa.DateTime(), nullable=True),
    sa.Column('cashier_called_at', sa.DateTime(), nullable=True),
    sa.Column('cashier_done_at', sa.DateTime(), nullable=True),
    sa.Column('cashier_place', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['queue_categories.id'], name=op.f('fk_queue_tickets_category_id_queue_categories')),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_queue_tickets_counter_id_counters')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_queue_tickets_issued_by_id_users')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['terminals.id'], name=op.f('fk_queue_tickets_kiosk_id_terminals')),
    sa.ForeignKeyConstraint(['original_category_id'], ['queue_categories.id'], name=op.f('fk_queue_tickets_original_category_id_queue_categories')),
    sa.ForeignKeyConstraint(['target_counter_id'], ['counters.id'], name=op.f('fk_queue_tickets_target_counter_id_counters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_tickets')),
    sa.UniqueConstraint('code', name=op.f('uq_queue_tickets_code')),
    sa.UniqueConstraint('office_day', 'letter', 'number', name=op.f('uq_queue_tickets_office_day_letter_number'))
    )
    op.create_index('ix_queue_tickets_day_state', 'queue_tickets', ['office_day', 'state'], unique=False)
    op.create_table('queue_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board', sa.String(length=10), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=12), nullable=False),
    sa.Column('place', sa.String(length=30), nullable=False),
    sa.Column('recall', sa.Boolean(), nullable=False),
    sa.Column('called_at', sa.DateTime(), nullable=False),
    sa.Column('called_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['called_by_id'], ['users.id'], name=op.f('fk_queue_calls_called_by_id_users')),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_queue_calls_counter_id_counters')),
    sa.ForeignKeyConstraint(['ticket_id'], ['queue_tickets.id'], name=op.f('fk_queue_calls_ticket_id_queue_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_calls'))
    )
    op.create_index('ix_queue_calls_board_id', 'queue_calls', ['board', 'id'], unique=False)
    op.create_table('queue_ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['queue_categories.id'], name=op.f('fk_queue_ticket_events_category_id_queue_categories')),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_queue_ticket_events_counter_id_counters')),
    sa.ForeignKeyConstraint(['ticket_id'], ['queue_tickets.id'], name=op.f('fk_queue_ticket_events_ticket_id_queue_tickets')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_queue_ticket_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_queue_ticket_events'))
    )
    op.create_index(op.f('ix_queue_ticket_events_ticket_id'), 'queue_ticket_events', ['ticket_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_queue_ticket_events_ticket_id'), table_name='queue_ticket_events')
    op.drop_table('queue_ticket_events')
    op.drop_index('ix_queue_calls_board_id', table_name='queue_calls')
    op.drop_table('queue_calls')
    op.drop_index('ix_queue_tickets_day_state', table_name='queue_tickets')
    op.drop_table('queue_tickets')
    op.drop_table('queue_category_counters')
    op.drop_table('queue_settings')
    op.drop_table('queue_sequences')
    op.drop_table('queue_categories')
