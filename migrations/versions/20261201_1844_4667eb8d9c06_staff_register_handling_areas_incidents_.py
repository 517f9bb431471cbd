"""staff register, handling areas, incidents, erasure requests

Issue #14 §3: the register of 作業責任者・作業従事者 with pledges and training, the reported
changes and the change requests of 作業責任者, the handling areas (and terminals tied to one),
the incident log, and the erasure requests of the contract's end. New tables and one nullable
column: no data to move.

Revision ID: 4667eb8d9c06
Revises: b7e2c4d9a113
Create Date: 2026-12-01 18:44:09.795567

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4667eb8d9c06'
down_revision = 'b7e2c4d9a113'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_handling_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('replaces_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_staff_handling_areas_programme')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_staff_handling_areas_approved_by_id_users')),
    sa.ForeignKeyConstraint(['replaces_id'], ['staff_handling_areas.id'], name=op.f('fk_staff_handling_areas_replaces_id_staff_handling_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_handling_areas'))
    )
    with op.batch_alter_table('staff_handling_areas', schema=None) as batch_op:
        batch_op.create_index('ix_staff_handling_areas_programme', ['programme'], unique=False)

    op.create_table('staff_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_staff_documents_programme')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_staff_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_documents'))
    )
    op.create_table('staff_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('data_involved', sa.Text(), nullable=False),
    sa.Column('people_count', sa.Integer(), nullable=False),
    sa.Column('actions_taken', sa.Text(), nullable=False),
    sa.Column('prevention', sa.Text(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('city_instruction', sa.Text(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('leak', 'wrong_person', 'lost', 'misuse', 'cash_difference', 'other')", name=op.f('ck_staff_incidents_kind')),
    sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_staff_incidents_programme')),
    sa.CheckConstraint("state IN ('reported', 'acknowledged', 'closed')", name=op.f('ck_staff_incidents_state')),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_staff_incidents_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_staff_incidents_reported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_incidents'))
    )
    with op.batch_alter_table('staff_incidents', schema=None) as batch_op:
        batch_op.create_index('ix_staff_incidents_programme_state', ['programme', 'state'], unique=False)

    op.create_table('staff_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('post', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('duty', sa.String(length=200), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('pledge_signed_on', sa.Date(), nullable=True),
    sa.Column('pledge_document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("post IN ('lead', 'worker')", name=op.f('ck_staff_entries_post')),
    sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_staff_entries_programme')),
    sa.ForeignKeyConstraint(['pledge_document_id'], ['staff_documents.id'], name=op.f('fk_staff_entries_pledge_document_id_staff_documents')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_entries'))
    )
    with op.batch_alter_table('staff_entries', schema=None) as batch_op:
        batch_op.create_index('ix_staff_entries_programme_post', ['programme', 'post'], unique=False)
        batch_op.create_index('ix_staff_entries_user', ['user_id'], unique=False)

    op.create_table('staff_erasure_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('media', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.String(length=200), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('executed_by_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('erased_rows', sa.Integer(), nullable=True),
    sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_staff_erasure_requests_programme')),
    sa.CheckConstraint("state IN ('requested', 'approved', 'rejected', 'running', 'done')", name=op.f('ck_staff_erasure_requests_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_staff_erasure_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['executed_by_id'], ['users.id'], name=op.f('fk_staff_erasure_requests_executed_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_staff_erasure_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_staff_erasure_requests_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_erasure_requests'))
    )
    with op.batch_alter_table('staff_erasure_requests', schema=None) as batch_op:
        batch_op.create_index('ix_staff_erasure_requests_programme', ['programme'], unique=False)

    op.create_table('staff_trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('material_document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_staff_trainings_programme')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_staff_trainings_created_by_id_users')),
    sa.ForeignKeyConstraint(['material_document_id'], ['staff_documents.id'], name=op.f('fk_staff_trainings_material_document_id_staff_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_trainings'))
    )
    with op.batch_alter_table('staff_trainings', schema=None) as batch_op:
        batch_op.create_index('ix_staff_trainings_programme', ['programme', 'held_on'], unique=False)

    op.create_table('staff_lead_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('current_entry_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('duty', sa.String(length=200), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('new_entry_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_staff_lead_changes_programme')),
    sa.CheckConstraint("state IN ('requested', 'approved', 'rejected')", name=op.f('ck_staff_lead_changes_state')),
    sa.ForeignKeyConstraint(['current_entry_id'], ['staff_entries.id'], name=op.f('fk_staff_lead_changes_current_entry_id_staff_entries')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_staff_lead_changes_decided_by_id_users')),
    sa.ForeignKeyConstraint(['new_entry_id'], ['staff_entries.id'], name=op.f('fk_staff_lead_changes_new_entry_id_staff_entries')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_staff_lead_changes_requested_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_lead_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_lead_changes'))
    )
    with op.batch_alter_table('staff_lead_changes', schema=None) as batch_op:
        batch_op.create_index('ix_staff_lead_changes_programme', ['programme', 'state'], unique=False)

    op.create_table('staff_training_attendance',
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['staff_entries.id'], name=op.f('fk_staff_training_attendance_entry_id_staff_entries')),
    sa.ForeignKeyConstraint(['training_id'], ['staff_trainings.id'], name=op.f('fk_staff_training_attendance_training_id_staff_trainings')),
    sa.PrimaryKeyConstraint('training_id', 'entry_id', name=op.f('pk_staff_training_attendance'))
    )
    op.create_table('staff_worker_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=20), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('seen_by_id', sa.Integer(), nullable=True),
    sa.Column('seen_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('joined', 'left')", name=op.f('ck_staff_worker_changes_kind')),
    sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_staff_worker_changes_programme')),
    sa.ForeignKeyConstraint(['entry_id'], ['staff_entries.id'], name=op.f('fk_staff_worker_changes_entry_id_staff_entries')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_staff_worker_changes_reported_by_id_users')),
    sa.ForeignKeyConstraint(['seen_by_id'], ['users.id'], name=op.f('fk_staff_worker_changes_seen_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_worker_changes'))
    )
    with op.batch_alter_table('staff_worker_changes', schema=None) as batch_op:
        batch_op.create_index('ix_staff_worker_changes_programme', ['programme'], unique=False)

    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handling_area_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_terminals_handling_area_id_staff_handling_areas'), 'staff_handling_areas', ['handling_area_id'], ['id'])



def downgrade():
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_terminals_handling_area_id_staff_handling_areas'), type_='foreignkey')
        batch_op.drop_column('handling_area_id')

    with op.batch_alter_table('staff_worker_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_worker_changes_programme')

    op.drop_table('staff_worker_changes')
    op.drop_table('staff_training_attendance')
    with op.batch_alter_table('staff_lead_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_lead_changes_programme')

    op.drop_table('staff_lead_changes')
    with op.batch_alter_table('staff_trainings', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_trainings_programme')

    op.drop_table('staff_trainings')
    with op.batch_alter_table('staff_erasure_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_erasure_requests_programme')

    op.drop_table('staff_erasure_requests')
    with op.batch_alter_table('staff_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_entries_user')
        batch_op.drop_index('ix_staff_entries_programme_post')

    op.drop_table('staff_entries')
    with op.batch_alter_table('staff_incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_incidents_programme_state')

    op.drop_table('staff_incidents')
    op.drop_table('staff_documents')
    with op.batch_alter_table('staff_handling_areas', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_handling_areas_programme')

    op.drop_table('staff_handling_areas')
