"""registry and counter: residents and households (the registry stand-in), the procedure
catalog, visits, cases, their events and fee lines

Revision ID: 2f44f07bb8fd
Revises: 0ff06843bed7
Create Date: 2026-11-21 21:18:08.307955

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2f44f07bb8fd'
down_revision = '0ff06843bed7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counter_procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=False),
    sa.Column('ticket_category', sa.String(length=30), nullable=False),
    sa.Column('spec_ref', sa.String(length=50), nullable=False),
    sa.Column('law', sa.String(length=30), nullable=False),
    sa.Column('applicants', sa.JSON(), nullable=False),
    sa.Column('identity', sa.String(length=30), nullable=False),
    sa.Column('identity_alternative', sa.String(length=30), nullable=False),
    sa.Column('proxy_authority', sa.String(length=30), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('fee_code', sa.String(length=30), nullable=False),
    sa.Column('review_required', sa.Boolean(), nullable=False),
    sa.Column('handover', sa.JSON(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_procedures')),
    sa.UniqueConstraint('code', name=op.f('uq_counter_procedures_code'))
    )
    op.create_table('registry_households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('postal_code', sa.String(length=7), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_households'))
    )
    op.create_table('counter_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('visitor_name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_counter_visits_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_visits'))
    )
    op.create_table('registry_residents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('family_name', sa.String(length=50), nullable=False),
    sa.Column('given_name', sa.String(length=50), nullable=False),
    sa.Column('family_kana', sa.String(length=100), nullable=False),
    sa.Column('given_kana', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.Column('domicile', sa.String(length=200), nullable=False),
    sa.Column('domicile_head', sa.String(length=100), nullable=False),
    sa.Column('resident_since', sa.Date(), nullable=False),
    sa.Column('address_since', sa.Date(), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('previous_address', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('left_to', sa.String(length=200), nullable=False),
    sa.Column('nhi_member', sa.Boolean(), nullable=False),
    sa.Column('pension_category', sa.String(length=1), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['registry_households.id'], name=op.f('fk_registry_residents_household_id_registry_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_residents'))
    )
    with op.batch_alter_table('registry_residents', schema=None) as batch_op:
        batch_op.create_index('ix_registry_residents_birth_date', ['birth_date'], unique=False)
        batch_op.create_index('ix_registry_residents_household_id', ['household_id'], unique=False)
        batch_op.create_index('ix_registry_residents_kana', ['family_kana', 'given_kana'], unique=False)

    op.create_table('counter_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('state_since', sa.DateTime(), nullable=False),
    sa.Column('held_from', sa.String(length=20), nullable=False),
    sa.Column('requester_kind', sa.String(length=20), nullable=False),
    sa.Column('requester_name', sa.String(length=100), nullable=False),
    sa.Column('requester_kana', sa.String(length=100), nullable=False),
    sa.Column('requester_birth_date', sa.Date(), nullable=True),
    sa.Column('requester_sex', sa.String(length=1), nullable=False),
    sa.Column('requester_address', sa.String(length=200), nullable=False),
    sa.Column('requester_phone', sa.String(length=30), nullable=False),
    sa.Column('requester_resident_id', sa.Integer(), nullable=True),
    sa.Column('subject_resident_id', sa.Integer(), nullable=True),
    sa.Column('identity_docs', sa.JSON(), nullable=False),
    sa.Column('identity_alternative_used', sa.Boolean(), nullable=False),
    sa.Column('card_read_at', sa.DateTime(), nullable=True),
    sa.Column('power_of_attorney', sa.Boolean(), nullable=False),
    sa.Column('third_party_reason_kind', sa.String(length=20), nullable=False),
    sa.Column('third_party_reason', sa.Text(), nullable=False),
    sa.Column('third_party_documents', sa.Text(), nullable=False),
    sa.Column('official_office', sa.String(length=100), nullable=False),
    sa.Column('official_basis', sa.String(length=200), nullable=False),
    sa.Column('content_checked', sa.Boolean(), nullable=False),
    sa.Column('documents_checked', sa.JSON(), nullable=False),
    sa.Column('form_data', sa.JSON(), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('returned', sa.Boolean(), nullable=False),
    sa.Column('hold_reason', sa.Text(), nullable=False),
    sa.Column('withdraw_reason', sa.Text(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_counter_cases_operator_id_users')),
    sa.ForeignKeyConstraint(['procedure_id'], ['counter_procedures.id'], name=op.f('fk_counter_cases_procedure_id_counter_procedures')),
    sa.ForeignKeyConstraint(['requester_resident_id'], ['registry_residents.id'], name=op.f('fk_counter_cases_requester_resident_id_registry_residents')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_counter_cases_reviewer_id_users')),
    sa.ForeignKeyConstraint(['subject_resident_id'], ['registry_residents.id'], name=op.f('fk_counter_cases_subject_resident_id_registry_residents')),
    sa.ForeignKeyConstraint(['visit_id'], ['counter_visits.id'], name=op.f('fk_counter_cases_visit_id_counter_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_cases'))
    )
    with op.batch_alter_table('counter_cases', schema=None) as batch_op:
        batch_op.create_index('ix_counter_cases_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_counter_cases_state', ['state'], unique=False)

    op.create_table('counter_case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['counter_cases.id'], name=op.f('fk_counter_case_events_case_id_counter_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_counter_case_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_case_events'))
    )
    with op.batch_alter_table('counter_case_events', schema=None) as batch_op:
        batch_op.create_index('ix_counter_case_events_case_id', ['case_id'], unique=False)

    op.create_table('counter_fee_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('fee_code', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_amount', sa.Integer(), nullable=False),
    sa.Column('official_free', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['counter_cases.id'], name=op.f('fk_counter_fee_lines_case_id_counter_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_fee_lines'))
    )
    with op.batch_alter_table('counter_fee_lines', schema=None) as batch_op:
        batch_op.create_index('ix_counter_fee_lines_case_id', ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('counter_fee_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_fee_lines_case_id')

    op.drop_table('counter_fee_lines')
    with op.batch_alter_table('counter_case_events', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_case_events_case_id')

    op.drop_table('counter_case_events')
    with op.batch_alter_table('counter_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_cases_state')
        batch_op.drop_index('ix_counter_cases_created_at')

    op.drop_table('counter_cases')
    with op.batch_alter_table('registry_residents', schema=None) as batch_op:
        batch_op.drop_index('ix_registry_residents_kana')
        batch_op.drop_index('ix_registry_residents_household_id')
        batch_op.drop_index('ix_registry_residents_birth_date')

    op.drop_table('registry_residents')
    op.drop_table('counter_visits')
    op.drop_table('registry_households')
    op.drop_table('counter_procedures')
