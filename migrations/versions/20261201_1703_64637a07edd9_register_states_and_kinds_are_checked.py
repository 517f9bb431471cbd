"""register: states and kinds are checked

A bill's state, a register day's state, a payment's kind and method and a void request's state
are enums in app/register/models.py; a CHECK keeps each column to their values (the payment's
kind had one already, ck_payments_kind_known: it is renamed ck_payments_kind like the others).
The rows are checked first: a value the application does not know stops the upgrade with the
rows to correct (none is guessed). SQLite adds a CHECK by recreating the table, which rows of
other tables point at, so foreign keys are off meanwhile and checked before they go on again;
recreating `payments` drops its append-only triggers, which are made again.

Revision ID: 64637a07edd9
Revises: 64c7071097be
Create Date: 2026-12-10 09:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '64637a07edd9'
down_revision = '64c7071097be'
branch_labels = None
depends_on = None

CHECKS = {
    'bills': {'state': ('open', 'paid', 'cancelled')},
    'register_days': {'state': ('open', 'closed')},
    'payments': {'kind': ('payment', 'void'), 'method': ('cash', 'credit_card', 'e_money', 'qr_code', 'free')},
    'void_requests': {'state': ('pending', 'approved', 'rejected')},
}
OLD_KIND_CHECK = "kind IN ('payment', 'void')"


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


def _refuse_unknown_values():
    bind = op.get_bind()
    unknown = []
    for table, columns in CHECKS.items():
        for column, values in columns.items():
            rows = bind.execute(sa.text(
                f"SELECT id, {column} FROM {table} WHERE {column} NOT IN ({_in(values)}) ORDER BY id")).all()
            unknown += [f"{table}.{column} id={row_id}: {value!r}" for row_id, value in rows]
    if unknown:
        raise RuntimeError("These rows hold values the application does not know; correct them, then upgrade "
                           "again: " + "; ".join(unknown))


def _payments_append_only_again_on_sqlite():
    """SQLite dropped the triggers with the table it recreated (8b37754d96c0 made them)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER payments_no_{event.lower()} BEFORE {event} ON payments "
                   "BEGIN SELECT RAISE(ABORT, 'payments is append-only'); END")


def upgrade():
    _refuse_unknown_values()
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'payments':
                batch_op.drop_constraint(batch_op.f('ck_payments_kind_known'), type_='check')
            for column, values in columns.items():
                batch_op.create_check_constraint(batch_op.f(f'ck_{table}_{column}'), f"{column} IN ({_in(values)})")
    _payments_append_only_again_on_sqlite()


def downgrade():
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(batch_op.f(f'ck_{table}_{column}'), type_='check')
            if table == 'payments':
                batch_op.create_check_constraint(batch_op.f('ck_payments_kind_known'), OLD_KIND_CHECK)
    _payments_append_only_again_on_sqlite()
