"""furusato: a donation's states include the office's own steps (申込, 証明書発送済, 返金)

Revision ID: 3d5e7a9b1c24
Revises: f0b80e75054c
Create Date: 2026-12-02 11:00:00

Only the CHECK on furusato_donations.status widens: every existing value (unpaid, paid,
cancelled) stays allowed; the staging table keeps what a portal's file can say. Downgrading
refuses while a donation is in one of the new states, rather than guessing what it was.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3d5e7a9b1c24'
down_revision = 'f0b80e75054c'
branch_labels = None
depends_on = None

BEFORE = ('unpaid', 'paid', 'cancelled')
AFTER = ('applied', 'unpaid', 'paid', 'posted', 'cancelled', 'refunded')


def _check(values):
    with op.batch_alter_table('furusato_donations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_furusato_donations_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_furusato_donations_status'),
                                         f"status IN ({', '.join(repr(v) for v in values)})")


def upgrade():
    _check(AFTER)


def downgrade():
    found = op.get_bind().execute(sa.text(
        "SELECT DISTINCT status FROM furusato_donations WHERE status NOT IN ('unpaid', 'paid', 'cancelled')")
    ).scalars().all()
    if found:
        raise RuntimeError(f'furusato_donations.status has states the older schema has not: {sorted(found)}')
    _check(BEFORE)
