"""register: a closed day can be reopened, a receipt names the payer (宛名); displays' sound

A supervisor reopens a closed register day with a reason (issue 15 §2): `register_reopenings`
holds each reopening, and a day closed again has a second `daily_closes` row, so the unique
constraint on daily_closes.register_day_id becomes an index. `payments.addressee` is the 宛名
printed on the receipt ('' when none was given; existing payments have none).
`terminals.sound` says a display's browser plays the chime and voice by itself (issue 15 §3;
false for every existing terminal).

SQLite drops a constraint by recreating the table, which drops the append-only triggers of
daily_closes (8b37754d96c0 made them): they are made again. The new table is append-only too.
No data moves. Downgrading refuses while a day has more than one close.

Revision ID: c4a9e2f1b7d3
Revises: 9e4b1d7c3a52
Create Date: 2026-12-02 13:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4a9e2f1b7d3'
down_revision = '9e4b1d7c3a52'
branch_labels = None
depends_on = None

EVENTS = ('UPDATE', 'DELETE')


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _daily_closes_append_only_again_on_sqlite():
    if _sqlite():
        for event in EVENTS:
            op.execute(f"CREATE TRIGGER daily_closes_no_{event.lower()} BEFORE {event} ON daily_closes "
                       "BEGIN SELECT RAISE(ABORT, 'daily_closes is append-only'); END")


def _reopenings_append_only():
    if _sqlite():
        for event in EVENTS:
            op.execute(f"CREATE TRIGGER register_reopenings_no_{event.lower()} BEFORE {event} "
                       "ON register_reopenings BEGIN SELECT RAISE(ABORT, 'register_reopenings is append-only'); END")
    else:
        op.execute("CREATE TRIGGER register_reopenings_append_only BEFORE UPDATE OR DELETE ON register_reopenings "
                   "FOR EACH ROW EXECUTE FUNCTION register_append_only()")


def upgrade():
    op.create_table(
        'register_reopenings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('register_day_id', sa.Integer(), nullable=False),
        sa.Column('daily_close_id', sa.Integer(), nullable=False),
        sa.Column('reopened_at', sa.DateTime(), nullable=False),
        sa.Column('reopened_by_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['daily_close_id'], ['daily_closes.id'],
                                name=op.f('fk_register_reopenings_daily_close_id_daily_closes')),
        sa.ForeignKeyConstraint(['register_day_id'], ['register_days.id'],
                                name=op.f('fk_register_reopenings_register_day_id_register_days')),
        sa.ForeignKeyConstraint(['reopened_by_id'], ['users.id'],
                                name=op.f('fk_register_reopenings_reopened_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_register_reopenings')),
    )
    op.create_index('ix_register_reopenings_day', 'register_reopenings', ['register_day_id', 'id'], unique=False)
    _reopenings_append_only()
    with op.batch_alter_table('daily_closes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_daily_closes_register_day_id'), type_='unique')
        batch_op.create_index('ix_daily_closes_day', ['register_day_id', 'id'], unique=False)
    _daily_closes_append_only_again_on_sqlite()
    op.add_column('payments', sa.Column('addressee', sa.String(length=100), server_default='', nullable=False))
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sound', sa.Boolean(), server_default=sa.false(), nullable=False))


def _refuse_days_closed_twice():
    twice = op.get_bind().execute(sa.text(
        "SELECT register_day_id FROM daily_closes GROUP BY register_day_id HAVING COUNT(*) > 1 "
        "ORDER BY register_day_id")).scalars().all()
    if twice:
        raise RuntimeError("These register days were closed more than once (reopened); the old schema allows one "
                           "close per day: " + ", ".join(str(day) for day in twice))


def downgrade():
    _refuse_days_closed_twice()
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_column('sound')
    if _sqlite():
        # ALTER TABLE … DROP COLUMN: SQLite rewrites the rows, which the UPDATE trigger does not see
        op.execute("ALTER TABLE payments DROP COLUMN addressee")
    else:
        op.drop_column('payments', 'addressee')
    with op.batch_alter_table('daily_closes', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_closes_day')
        batch_op.create_unique_constraint(batch_op.f('uq_daily_closes_register_day_id'), ['register_day_id'])
    _daily_closes_append_only_again_on_sqlite()
    op.drop_index('ix_register_reopenings_day', table_name='register_reopenings')
    op.drop_table('register_reopenings')
