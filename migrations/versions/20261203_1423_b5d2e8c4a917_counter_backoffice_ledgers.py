"""counter: the back-office ledgers left by issue 21

New tables: counter_passport_applications (旅券, with the CHECK that a passport is handed out
or returned to the prefecture, never both), counter_house_number_notices (住居番号の通知, a
number once per 街区), counter_forwardings (進達) and counter_returned_cards (不着保険証, with
the CHECK that a card is handed over or destroyed, never both). No row moves.

Revision ID: b5d2e8c4a917
Revises: 5b2d8e4f6a17
Create Date: 2026-12-03 14:13:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5d2e8c4a917'
down_revision = '5b2d8e4f6a17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counter_forwardings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.Column('person_name', sa.String(length=100), nullable=False),
    sa.Column('destination_kind', sa.String(length=20), nullable=False),
    sa.Column('destination', sa.String(length=100), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("destination_kind IN ('city_department', 'other_office')", name=op.f('ck_counter_forwardings_destination_kind')),
    sa.CheckConstraint('due_on >= sent_on', name=op.f('ck_counter_forwardings_due_after_sent')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_counter_forwardings_answered_by_id_users')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_counter_forwardings_sent_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_forwardings'))
    )
    with op.batch_alter_table('counter_forwardings', schema=None) as batch_op:
        batch_op.create_index('ix_counter_forwardings_open', ['answered_on', 'due_on'], unique=False)

    op.create_table('counter_house_number_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('block', sa.String(length=200), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('building', sa.String(length=200), nullable=False),
    sa.Column('person_name', sa.String(length=100), nullable=False),
    sa.Column('person_role', sa.String(length=20), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('handed_on', sa.Date(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_counter_house_number_notices_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_house_number_notices')),
    sa.UniqueConstraint('block', 'number', name=op.f('uq_counter_house_number_notices_block_number')),
    sa.UniqueConstraint('fiscal_year', 'serial', name=op.f('uq_counter_house_number_notices_fiscal_year_serial'))
    )
    op.create_table('counter_passport_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_name', sa.String(length=100), nullable=False),
    sa.Column('applicant_address', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('arrived_on', sa.Date(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('handed_on', sa.Date(), nullable=True),
    sa.Column('identity_document', sa.String(length=100), nullable=False),
    sa.Column('identity_checked_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('ten_years', 'five_years', 'amended')", name=op.f('ck_counter_passport_applications_kind')),
    sa.CheckConstraint('handed_on IS NULL OR returned_on IS NULL', name=op.f('ck_counter_passport_applications_handed_or_returned')),
    sa.ForeignKeyConstraint(['identity_checked_by_id'], ['users.id'], name=op.f('fk_counter_passport_applications_identity_checked_by_id_users')),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_counter_passport_applications_received_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_passport_applications'))
    )
    with op.batch_alter_table('counter_passport_applications', schema=None) as batch_op:
        batch_op.create_index('ix_counter_passport_applications_uncollected', ['handed_on', 'returned_on', 'issued_on'], unique=False)

    op.create_table('counter_returned_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('person_name', sa.String(length=100), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('mailed_address', sa.String(length=200), nullable=False),
    sa.Column('returned_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=False),
    sa.Column('address_checked_on', sa.Date(), nullable=True),
    sa.Column('address_check', sa.String(length=20), nullable=False),
    sa.Column('registry_address', sa.String(length=200), nullable=False),
    sa.Column('called_on', sa.Date(), nullable=True),
    sa.Column('call_note', sa.String(length=200), nullable=False),
    sa.Column('handed_on', sa.Date(), nullable=True),
    sa.Column('handed_to', sa.String(length=100), nullable=False),
    sa.Column('destroyed_on', sa.Date(), nullable=True),
    sa.Column('destroyed_reason', sa.String(length=200), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("address_check IN ('same', 'differs', 'left', '')", name=op.f('ck_counter_returned_cards_address_check')),
    sa.CheckConstraint("kind IN ('nhi', 'late_elderly', 'elderly', 'limit')", name=op.f('ck_counter_returned_cards_kind')),
    sa.CheckConstraint("reason IN ('unknown', 'moved', 'kept', 'refused', 'other')", name=op.f('ck_counter_returned_cards_reason')),
    sa.CheckConstraint('handed_on IS NULL OR destroyed_on IS NULL', name=op.f('ck_counter_returned_cards_handed_or_destroyed')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_counter_returned_cards_closed_by_id_users')),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_counter_returned_cards_received_by_id_users')),
    sa.ForeignKeyConstraint(['resident_id'], ['registry_residents.id'], name=op.f('fk_counter_returned_cards_resident_id_registry_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_returned_cards'))
    )
    with op.batch_alter_table('counter_returned_cards', schema=None) as batch_op:
        batch_op.create_index('ix_counter_returned_cards_open', ['handed_on', 'destroyed_on', 'returned_on'], unique=False)



def downgrade():
    with op.batch_alter_table('counter_returned_cards', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_returned_cards_open')

    op.drop_table('counter_returned_cards')
    with op.batch_alter_table('counter_passport_applications', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_passport_applications_uncollected')

    op.drop_table('counter_passport_applications')
    op.drop_table('counter_house_number_notices')
    with op.batch_alter_table('counter_forwardings', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_forwardings_open')

    op.drop_table('counter_forwardings')
