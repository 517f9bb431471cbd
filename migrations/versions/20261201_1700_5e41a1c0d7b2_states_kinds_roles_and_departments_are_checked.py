"""seal, users, counters: states, kinds, roles and departments are checked

A seal application's kind, state, applicant kind, identity path and ID documents, a seal
record's status (app/seal/models.py), a user's role (app/auth/models.py Role) and a counter's
department (app/core/models.py Department) are enums; a CHECK keeps each column to their
values. One revision for the three domains, which moved onto the enums together. The rows are
checked first: a value the application does not know stops the upgrade with the
rows to correct (none is guessed). SQLite adds a CHECK by recreating the table, which rows of
other tables point at, so foreign keys are off meanwhile and checked before they go on again.

Revision ID: 5e41a1c0d7b2
Revises: f4b2e87101bc
Create Date: 2026-12-02 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e41a1c0d7b2'
down_revision = 'f4b2e87101bc'
branch_labels = None
depends_on = None

DOCUMENTS = ('my_number_card', 'driver_license', 'passport', 'residence_card', 'other_photo_id')
CHECKS = {
    'seal_applications': {
        'kind': ('registration', 'abolition', 'loss'),
        'state': ('received', 'inquiry', 'review', 'returned', 'approved', 'expired', 'withdrawn'),
        'applicant_kind': ('self', 'proxy'),
        'identity_path': ('photo_id', 'inquiry'),
        'id_document': ('', *DOCUMENTS),
        'reply_id_document': ('', *DOCUMENTS),
    },
    'seal_records': {'status': ('active', 'abolished')},
    'users': {'role': ('operator', 'supervisor', 'city_staff', 'admin')},
    'counters': {'department': ('citizens', 'nhi_pension')},
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
