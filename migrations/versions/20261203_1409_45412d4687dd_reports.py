"""reports: the monthly 業務報告書 (issue 20 §1)

Revision ID: 45412d4687dd
Revises: a7c3e5f1d2b4
Create Date: 2026-12-03 14:04:00

A new table: no data moves.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '45412d4687dd'
down_revision = 'a7c3e5f1d2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reports_monthly',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('generated_at', sa.DateTime(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('annex_csv', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('inspected_at', sa.DateTime(), nullable=True),
    sa.Column('inspected_by_id', sa.Integer(), nullable=True),
    sa.Column('inspection_note', sa.Text(), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'inspected')", name=op.f('ck_reports_monthly_state')),
    sa.ForeignKeyConstraint(['inspected_by_id'], ['users.id'], name=op.f('fk_reports_monthly_inspected_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_reports_monthly_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_reports_monthly_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports_monthly')),
    sa.UniqueConstraint('month', name=op.f('uq_reports_monthly_month'))
    )


def downgrade():
    op.drop_table('reports_monthly')
