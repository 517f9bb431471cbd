"""devices: states and kinds are checked

A terminal's kind, a device binding's kind and a device job's state and kind are enums in
app/devices/models.py; a CHECK keeps each column to their values. The rows are checked first: a
value the application does not know stops the upgrade with the rows to correct (none is
guessed). SQLite adds a CHECK by recreating the table, which rows of other tables point at, so
foreign keys are off meanwhile and checked before they go on again.

Revision ID: 9e6d1a6c8741
Revises: 64637a07edd9
Create Date: 2026-12-10 09:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e6d1a6c8741'
down_revision = '64637a07edd9'
branch_labels = None
depends_on = None

CHECKS = {
    'terminals': {'kind': ('counter_pc', 'kiosk', 'queue_display', 'cashier_display', 'register')},
    'device_bindings': {'kind': ('printer', 'call_board', 'card_reader', 'scanner')},
    'device_jobs': {
        'state': ('queued', 'claimed', 'done', 'failed', 'cancelled'),
        'kind': ('print', 'call_board', 'card_read', 'scan'),
    },
}


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


def upgrade():
    _refuse_unknown_values()
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                batch_op.create_check_constraint(batch_op.f(f'ck_{table}_{column}'), f"{column} IN ({_in(values)})")


def downgrade():
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(batch_op.f(f'ck_{table}_{column}'), type_='check')
