"""reports: the 業務計画書 of each two-month period and its history (issue 20 §1)

Revision ID: 8d4f1b6c2e97
Revises: b5d2e8c4a917
Create Date: 2026-12-03 14:30:00

Two new tables (reports_work_plans, reports_work_plan_events): no data moves.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8d4f1b6c2e97'
down_revision = 'b5d2e8c4a917'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reports_work_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('expected', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'approved', 'returned')",
                       name=op.f('ck_reports_work_plans_state')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reports_work_plans_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports_work_plans')),
    sa.UniqueConstraint('starts', name=op.f('uq_reports_work_plans_starts'))
    )
    op.create_table('reports_work_plan_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_reports_work_plan_events_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['reports_work_plans.id'],
                            name=op.f('fk_reports_work_plan_events_plan_id_reports_work_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports_work_plan_events'))
    )
    with op.batch_alter_table('reports_work_plan_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_work_plan_events_plan_id'), ['plan_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reports_work_plan_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_work_plan_events_plan_id'))
    op.drop_table('reports_work_plan_events')
    op.drop_table('reports_work_plans')
