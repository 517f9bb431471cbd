"""reports: the stored 勤務割当表; counter: the おくやみ catalog category (issue 20)

Revision ID: 6b2d8f4a1c70
Revises: 5b8d2e6f9a13
Create Date: 2026-12-03 14:13:00

Two new tables (reports_roster_plans, reports_roster_shifts): no data moves.

counter_procedures.category gains 'bereavement' (000 §6(15)⑨ おくやみコーナー): the CHECK is
widened (SQLite rebuilds the table through batch_alter_table; the table has no triggers) and the
corner's three entries move to it from その他 / マイナンバーカード. Going down moves them back
first, then narrows the CHECK again.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6b2d8f4a1c70'
down_revision = '5b8d2e6f9a13'
branch_labels = None
depends_on = None

CATEGORIES = ('certificate', 'seal', 'move', 'my_number', 'reburial', 'registry_survey', 'address_numbering',
              'passport', 'vehicle', 'payment', 'nhi', 'medical_subsidy', 'late_elderly', 'national_pension', 'other')
WIDER = (*CATEGORIES[:-1], 'bereavement', 'other')
# the corner's entries and the category each had before
MOVED = {'bereavement_consultation': 'other', 'bereavement_documents': 'other', 'my_number_card_return': 'my_number'}


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _check(values):
    with op.batch_alter_table('counter_procedures', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_counter_procedures_category'), type_='check')
        batch_op.create_check_constraint(op.f('ck_counter_procedures_category'), _in('category', values))


def _move(to_bereavement):
    procedures = sa.table('counter_procedures', sa.column('code', sa.String), sa.column('category', sa.String))
    for code, before in MOVED.items():
        op.execute(procedures.update().where(procedures.c.code == code)
                   .values(category='bereavement' if to_bereavement else before))


def upgrade():
    op.create_table('reports_roster_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('draft', 'submitted')", name=op.f('ck_reports_roster_plans_state')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reports_roster_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_reports_roster_plans_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports_roster_plans')),
    sa.UniqueConstraint('month', name=op.f('uq_reports_roster_plans_month'))
    )
    op.create_table('reports_roster_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=False),
    sa.Column('staff_entry_id', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_reports_roster_shifts_counter_id_counters')),
    sa.ForeignKeyConstraint(['plan_id'], ['reports_roster_plans.id'], name=op.f('fk_reports_roster_shifts_plan_id_reports_roster_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_entry_id'], ['staff_entries.id'], name=op.f('fk_reports_roster_shifts_staff_entry_id_staff_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports_roster_shifts')),
    sa.UniqueConstraint('plan_id', 'day', 'staff_entry_id', name=op.f('uq_reports_roster_shifts_plan_id_day_staff_entry_id'))
    )
    with op.batch_alter_table('reports_roster_shifts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_roster_shifts_plan_id'), ['plan_id'], unique=False)
    _check(WIDER)
    _move(True)


def downgrade():
    _move(False)
    _check(CATEGORIES)
    with op.batch_alter_table('reports_roster_shifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_roster_shifts_plan_id'))
    op.drop_table('reports_roster_shifts')
    op.drop_table('reports_roster_plans')
