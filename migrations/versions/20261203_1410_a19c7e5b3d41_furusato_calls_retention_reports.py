"""furusato: the call centre's inquiries, retention periods and disposals, monthly reports and
strategy meetings (issue 19 §3-§5)

Revision ID: a19c7e5b3d41
Revises: 45412d4687dd
Create Date: 2026-12-03 14:03:00

New tables: no data moves.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a19c7e5b3d41'
down_revision = '45412d4687dd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('furusato_retention_sweeps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('swept_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('before', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('oldest', sa.Date(), nullable=True),
    sa.CheckConstraint("kind IN ('donation', 'inquiry')", name=op.f('ck_furusato_retention_sweeps_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_retention_sweeps'))
    )
    with op.batch_alter_table('furusato_retention_sweeps', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_retention_sweeps_kind_day', ['kind', 'swept_on'], unique=False)

    op.create_table('furusato_inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('caller_kind', sa.String(length=10), nullable=False),
    sa.Column('caller_name', sa.String(length=100), nullable=False),
    sa.Column('caller_contact', sa.String(length=254), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('said', sa.Text(), nullable=False),
    sa.Column('done', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("caller_kind IN ('donor', 'supplier', 'prospect', 'other')", name=op.f('ck_furusato_inquiries_caller_kind')),
    sa.CheckConstraint("category IN ('donation', 'gift', 'one_stop', 'cancel', 'complaint', 'supplier')", name=op.f('ck_furusato_inquiries_category')),
    sa.CheckConstraint("channel IN ('phone', 'mail', 'fax', 'email')", name=op.f('ck_furusato_inquiries_channel')),
    sa.CheckConstraint("state IN ('open', 'follow_up', 'closed')", name=op.f('ck_furusato_inquiries_state')),
    sa.ForeignKeyConstraint(['donor_id'], ['furusato_donors.id'], name=op.f('fk_furusato_inquiries_donor_id_furusato_donors')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_furusato_inquiries_taken_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_inquiries'))
    )
    with op.batch_alter_table('furusato_inquiries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_inquiries_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index('ix_furusato_inquiries_received', ['received_at'], unique=False)
        batch_op.create_index('ix_furusato_inquiries_state_follow', ['state', 'follow_up_on'], unique=False)

    op.create_table('furusato_retention_periods',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('donation', 'inquiry')", name=op.f('ck_furusato_retention_periods_kind')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_furusato_retention_periods_updated_by_id_users')),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_furusato_retention_periods'))
    )
    op.create_table('furusato_strategy_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_furusato_strategy_meetings_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_strategy_meetings'))
    )
    with op.batch_alter_table('furusato_strategy_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_strategy_meetings_held', ['held_on'], unique=False)

    op.create_table('furusato_disposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('before', sa.Date(), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('medium', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
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
    sa.Column('disposed_records', sa.Integer(), nullable=True),
    sa.Column('deleted_files', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('donation', 'inquiry')", name=op.f('ck_furusato_disposals_kind')),
    sa.CheckConstraint("state IN ('requested', 'approved', 'rejected', 'running', 'done')", name=op.f('ck_furusato_disposals_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_furusato_disposals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['executed_by_id'], ['users.id'], name=op.f('fk_furusato_disposals_executed_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_furusato_disposals_requested_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_furusato_disposals_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_disposals'))
    )
    with op.batch_alter_table('furusato_disposals', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_disposals_state', ['state'], unique=False)

    op.create_table('furusato_monthly_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('generated_at', sa.DateTime(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('csv', sa.LargeBinary(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('inspected_at', sa.DateTime(), nullable=True),
    sa.Column('inspected_by_id', sa.Integer(), nullable=True),
    sa.Column('inspection_note', sa.Text(), nullable=False),
    sa.CheckConstraint("state IN ('making', 'draft', 'submitted', 'inspected')", name=op.f('ck_furusato_monthly_reports_state')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_furusato_monthly_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['inspected_by_id'], ['users.id'], name=op.f('fk_furusato_monthly_reports_inspected_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_furusato_monthly_reports_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_furusato_monthly_reports_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_monthly_reports')),
    sa.UniqueConstraint('month', name=op.f('uq_furusato_monthly_reports_month'))
    )


def downgrade():
    op.drop_table('furusato_monthly_reports')
    with op.batch_alter_table('furusato_disposals', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_disposals_state')

    op.drop_table('furusato_disposals')
    with op.batch_alter_table('furusato_strategy_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_strategy_meetings_held')

    op.drop_table('furusato_strategy_meetings')
    op.drop_table('furusato_retention_periods')
    with op.batch_alter_table('furusato_inquiries', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_inquiries_state_follow')
        batch_op.drop_index('ix_furusato_inquiries_received')
        batch_op.drop_index(batch_op.f('ix_furusato_inquiries_donor_id'))

    op.drop_table('furusato_inquiries')
    with op.batch_alter_table('furusato_retention_sweeps', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_retention_sweeps_kind_day')

    op.drop_table('furusato_retention_sweeps')
