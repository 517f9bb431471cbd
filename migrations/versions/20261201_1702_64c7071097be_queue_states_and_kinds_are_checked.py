"""queue: states and kinds are checked

A ticket's state, priority and source, a call's board (and its sequence's) and a ticket event's
action are enums in app/queue/models.py; a CHECK keeps each column to their values. The rows are
checked first: a value the application does not know stops the upgrade with the rows to correct
(none is guessed). SQLite adds a CHECK by recreating the table, which rows of other tables point
at, so foreign keys are off meanwhile and checked before they go on again.

Revision ID: 64c7071097be
Revises: 07a7f083ca2a
Create Date: 2026-12-10 09:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '64c7071097be'
down_revision = '07a7f083ca2a'
branch_labels = None
depends_on = None

BOARDS = ('queue', 'cashier')
CHECKS = {
    'queue_tickets': {
        'state': ('waiting', 'called', 'serving', 'held', 'cashier_waiting', 'cashier_called', 'finished',
                  'no_show'),
        'priority': ('', 'elderly', 'disability', 'pregnant', 'infant', 'other'),
        'source': ('kiosk', 'staff'),
    },
    'queue_calls': {'board': BOARDS},
    'queue_call_sequences': {'board': BOARDS},
    'queue_ticket_events': {
        'action': ('issue', 'call', 'recall', 'serve', 'hold', 'resume', 'no_show', 'transfer', 'finish',
                   'to_cashier', 'cashier_call', 'cashier_recall', 'cashier_done', 'cashier_no_show'),
    },
}


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


def _refuse_unknown_values():
    bind = op.get_bind()
    unknown = []
    for table, columns in CHECKS.items():
        key = 'board' if table == 'queue_call_sequences' else 'id'
        for column, values in columns.items():
            rows = bind.execute(sa.text(
                f"SELECT {key}, {column} FROM {table} WHERE {column} NOT IN ({_in(values)}) ORDER BY {key}")).all()
            unknown += [f"{table}.{column} {key}={row_key}: {value!r}" for row_key, value in rows]
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
