"""furusato: the one-stop numbers and images become a kind of record with a retention period

Revision ID: 5b2d8e4f6a17
Revises: 6b2d8f4a1c70
Create Date: 2026-12-03 14:13:00

Only the CHECKs on the kind of the retention periods, sweeps and disposals widen ('onestop'
is added); every existing value stays allowed. Downgrading refuses while a row of the new kind
exists, rather than deleting a disposal record.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b2d8e4f6a17'
down_revision = '6b2d8f4a1c70'
branch_labels = None
depends_on = None

TABLES = ('furusato_retention_periods', 'furusato_retention_sweeps', 'furusato_disposals')
BEFORE = ('donation', 'inquiry')
AFTER = ('donation', 'inquiry', 'onestop')


def _check(values):
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_kind'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_kind'),
                                             f"kind IN ({', '.join(repr(v) for v in values)})")


def upgrade():
    _check(AFTER)


def downgrade():
    for table in TABLES:
        if op.get_bind().execute(sa.text(f"SELECT 1 FROM {table} WHERE kind = 'onestop' LIMIT 1")).first():
            raise RuntimeError(f"{table} has one-stop rows the older schema has not")
    _check(BEFORE)
