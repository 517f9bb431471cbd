"""bereavement corner and counter inquiries (issue 20 §2, §3)

Revision ID: d3197e259cbb
Revises: 9e4b1d7c2a35
Create Date: 2026-12-03 14:05:00

New tables: no data moves.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3197e259cbb'
down_revision = '9e4b1d7c2a35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bereavement_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bereavement_slots_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bereavement_slots')),
    sa.UniqueConstraint('day', 'starts', name=op.f('uq_bereavement_slots_day_starts'))
    )
    op.create_table('counter_inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('handling', sa.Text(), nullable=False),
    sa.Column('handed_to_city', sa.Boolean(), nullable=False),
    sa.Column('handed_to', sa.String(length=100), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("category IN ('certificate', 'seal', 'move', 'my_number', 'reburial', 'registry_survey', 'address_numbering', 'passport', 'vehicle', 'payment', 'nhi', 'medical_subsidy', 'late_elderly', 'national_pension', 'other')", name=op.f('ck_counter_inquiries_category')),
    sa.CheckConstraint("channel IN ('window', 'phone')", name=op.f('ck_counter_inquiries_channel')),
    sa.CheckConstraint("kind IN ('inquiry', 'complaint')", name=op.f('ck_counter_inquiries_kind')),
    sa.ForeignKeyConstraint(['procedure_id'], ['counter_procedures.id'], name=op.f('fk_counter_inquiries_procedure_id_counter_procedures')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_counter_inquiries_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_inquiries'))
    )
    with op.batch_alter_table('counter_inquiries', schema=None) as batch_op:
        batch_op.create_index('ix_counter_inquiries_received_at', ['received_at'], unique=False)

    op.create_table('bereavement_reservations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('deceased_name', sa.String(length=100), nullable=False),
    sa.Column('deceased_kana', sa.String(length=100), nullable=False),
    sa.Column('deceased_birth_date', sa.Date(), nullable=False),
    sa.Column('died_on', sa.Date(), nullable=False),
    sa.Column('deceased_resident_id', sa.Integer(), nullable=True),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('family_relationship', sa.String(length=20), nullable=False),
    sa.Column('family_phone', sa.String(length=30), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('booked_from', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('visited_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("channel IN ('phone', 'counter', 'web')", name=op.f('ck_bereavement_reservations_channel')),
    sa.CheckConstraint("state IN ('booked', 'visiting', 'done', 'cancelled')", name=op.f('ck_bereavement_reservations_state')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bereavement_reservations_created_by_id_users')),
    sa.ForeignKeyConstraint(['deceased_resident_id'], ['registry_residents.id'], name=op.f('fk_bereavement_reservations_deceased_resident_id_registry_residents')),
    sa.ForeignKeyConstraint(['slot_id'], ['bereavement_slots.id'], name=op.f('fk_bereavement_reservations_slot_id_bereavement_slots')),
    sa.ForeignKeyConstraint(['visit_id'], ['counter_visits.id'], name=op.f('fk_bereavement_reservations_visit_id_counter_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bereavement_reservations')),
    sa.UniqueConstraint('number', name=op.f('uq_bereavement_reservations_number'))
    )
    with op.batch_alter_table('bereavement_reservations', schema=None) as batch_op:
        batch_op.create_index('ix_bereavement_reservations_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_bereavement_reservations_state', ['state'], unique=False)

    op.create_table('bereavement_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reservation_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=50), nullable=False),
    sa.Column('catalog_code', sa.String(length=50), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('explained', sa.Text(), nullable=False),
    sa.Column('handed_over_at', sa.DateTime(), nullable=True),
    sa.Column('handed_over_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('pending', 'case_opened', 'handed_over')", name=op.f('ck_bereavement_items_outcome')),
    sa.CheckConstraint("source IN ('registry', 'records', 'questionnaire')", name=op.f('ck_bereavement_items_source')),
    sa.ForeignKeyConstraint(['case_id'], ['counter_cases.id'], name=op.f('fk_bereavement_items_case_id_counter_cases')),
    sa.ForeignKeyConstraint(['handed_over_by_id'], ['users.id'], name=op.f('fk_bereavement_items_handed_over_by_id_users')),
    sa.ForeignKeyConstraint(['reservation_id'], ['bereavement_reservations.id'], name=op.f('fk_bereavement_items_reservation_id_bereavement_reservations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bereavement_items'))
    )
    with op.batch_alter_table('bereavement_items', schema=None) as batch_op:
        batch_op.create_index('ix_bereavement_items_reservation_id', ['reservation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('bereavement_items', schema=None) as batch_op:
        batch_op.drop_index('ix_bereavement_items_reservation_id')

    op.drop_table('bereavement_items')
    with op.batch_alter_table('bereavement_reservations', schema=None) as batch_op:
        batch_op.drop_index('ix_bereavement_reservations_state')
        batch_op.drop_index('ix_bereavement_reservations_created_at')

    op.drop_table('bereavement_reservations')
    with op.batch_alter_table('counter_inquiries', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_inquiries_received_at')

    op.drop_table('counter_inquiries')
    op.drop_table('bereavement_slots')
