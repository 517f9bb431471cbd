"""counter: monthly check lists, mail-out batches (封入・発送), handovers to city staff, medical-subsidy first checks (issue 21)

Revision ID: 5f1c8a2d7e44
Revises: d3197e259cbb
Create Date: 2026-12-03 14:07:00

Six new tables (with the medical-subsidy first checks); no data moves.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5f1c8a2d7e44'
down_revision = 'd3197e259cbb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monthly_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('elderly_recipient', 'late_elderly_next_month', 'account_mailing')", name=op.f('ck_monthly_lists_kind')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_monthly_lists_done_by_id_users')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_monthly_lists_drawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_lists')),
    sa.UniqueConstraint('kind', 'month', name=op.f('uq_monthly_lists_kind_month'))
    )
    op.create_table('monthly_mailouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('reply_by', sa.Date(), nullable=True),
    sa.Column('posted_on', sa.Date(), nullable=True),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('making', 'printable', 'posted')", name=op.f('ck_monthly_mailouts_state')),
    sa.CheckConstraint("template IN ('elderly_recipient', 'late_elderly', 'account_check', 'registry_survey')", name=op.f('ck_monthly_mailouts_template')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_monthly_mailouts_created_by_id_users')),
    sa.ForeignKeyConstraint(['list_id'], ['monthly_lists.id'], name=op.f('fk_monthly_mailouts_list_id_monthly_lists')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_monthly_mailouts_posted_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_monthly_mailouts_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_mailouts'))
    )
    op.create_table('monthly_mailout_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailout_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('return_note', sa.Text(), nullable=False),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('reply_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['registry_households.id'], name=op.f('fk_monthly_mailout_items_household_id_registry_households')),
    sa.ForeignKeyConstraint(['mailout_id'], ['monthly_mailouts.id'], name=op.f('fk_monthly_mailout_items_mailout_id_monthly_mailouts')),
    sa.ForeignKeyConstraint(['resident_id'], ['registry_residents.id'], name=op.f('fk_monthly_mailout_items_resident_id_registry_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_mailout_items'))
    )
    with op.batch_alter_table('monthly_mailout_items', schema=None) as batch_op:
        batch_op.create_index('ix_monthly_mailout_items_mailout', ['mailout_id', 'id'], unique=False)

    op.create_table('counter_handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('handed_at', sa.DateTime(), nullable=False),
    sa.Column('handed_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answer_method', sa.String(length=20), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.CheckConstraint("answer_method IN ('in_person', 'phone', 'memo', '')", name=op.f('ck_counter_handovers_answer_method')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_counter_handovers_answered_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['counter_cases.id'], name=op.f('fk_counter_handovers_case_id_counter_cases')),
    sa.ForeignKeyConstraint(['handed_by_id'], ['users.id'], name=op.f('fk_counter_handovers_handed_by_id_users')),
    sa.ForeignKeyConstraint(['resident_id'], ['registry_residents.id'], name=op.f('fk_counter_handovers_resident_id_registry_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_handovers'))
    )
    with op.batch_alter_table('counter_handovers', schema=None) as batch_op:
        batch_op.create_index('ix_counter_handovers_open', ['answered_at', 'handed_at'], unique=False)

    op.create_table('monthly_list_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['counter_cases.id'], name=op.f('fk_monthly_list_items_case_id_counter_cases')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_monthly_list_items_checked_by_id_users')),
    sa.ForeignKeyConstraint(['list_id'], ['monthly_lists.id'], name=op.f('fk_monthly_list_items_list_id_monthly_lists')),
    sa.ForeignKeyConstraint(['resident_id'], ['registry_residents.id'], name=op.f('fk_monthly_list_items_resident_id_registry_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_list_items')),
    sa.UniqueConstraint('list_id', 'resident_id', 'case_id', name=op.f('uq_monthly_list_items_list_id_resident_id_case_id'))
    )
    with op.batch_alter_table('monthly_list_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_list_items_list_id'), ['list_id'], unique=False)

    op.create_table('monthly_subsidy_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('present', sa.JSON(), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('handover_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('child', 'maternity', 'severe_disability', 'single_parent')", name=op.f('ck_monthly_subsidy_checks_kind')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_monthly_subsidy_checks_checked_by_id_users')),
    sa.ForeignKeyConstraint(['handover_id'], ['counter_handovers.id'], name=op.f('fk_monthly_subsidy_checks_handover_id_counter_handovers')),
    sa.ForeignKeyConstraint(['resident_id'], ['registry_residents.id'], name=op.f('fk_monthly_subsidy_checks_resident_id_registry_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_subsidy_checks'))
    )
    with op.batch_alter_table('monthly_subsidy_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_subsidy_checks_resident_id'), ['resident_id'], unique=False)


def downgrade():
    with op.batch_alter_table('monthly_subsidy_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_subsidy_checks_resident_id'))

    op.drop_table('monthly_subsidy_checks')
    with op.batch_alter_table('monthly_list_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_list_items_list_id'))

    op.drop_table('monthly_list_items')
    with op.batch_alter_table('counter_handovers', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_handovers_open')

    op.drop_table('counter_handovers')
    with op.batch_alter_table('monthly_mailout_items', schema=None) as batch_op:
        batch_op.drop_index('ix_monthly_mailout_items_mailout')

    op.drop_table('monthly_mailout_items')
    op.drop_table('monthly_mailouts')
    op.drop_table('monthly_lists')
