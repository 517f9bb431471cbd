"""furusato: states and kinds as enums, kept to their values by CHECK constraints

Revision ID: 5c1e8f0a7d21
Revises: 124d2b007843
Create Date: 2026-12-10 09:00:00

Every value the donation programme has ever written is a member of its enum, so existing rows
(the demo's included) already pass; a row that does not is named and the upgrade stops, rather
than guessing what it meant.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c1e8f0a7d21'
down_revision = '124d2b007843'
branch_labels = None
depends_on = None

CHANNELS = ('portal', 'phone', 'fax', 'counter', 'mail')
PAYMENT_METHODS = ('card', 'bank', 'postal', 'convenience', 'carrier', 'e_money', 'cash', 'other')
DONATION_STATES = ('unpaid', 'paid', 'cancelled')
# table: [(column, allowed values, "" allowed too)]
CHECKS = {
    'furusato_portals': [('kind', ('portal', 'direct'), False)],
    'furusato_import_batches': [
        ('source', ('web', 'cli'), False),
        ('status', ('queued', 'staging', 'staged', 'applying', 'applied', 'partial', 'refused', 'failed',
                    'cancelled'), False)],
    'furusato_import_issues': [('code', ('missing', 'invalid', 'unknown_column', 'missing_column', 'unknown_value',
                                         'duplicate'), False)],
    'furusato_import_staging': [('status', DONATION_STATES, False), ('payment_method', PAYMENT_METHODS, True)],
    'furusato_profile_adjustments': [('kind', ('column', 'value'), False)],
    'furusato_donations': [('channel', CHANNELS, False), ('payment_method', PAYMENT_METHODS, True),
                           ('status', DONATION_STATES, False)],
    'furusato_suspect_flags': [
        ('reason', ('in_city_gift', 'postal_address_mismatch', 'missing_required', 'duplicate_order',
                    'amount_gift_mismatch', 'one_stop_without_birth_date'), False),
        ('status', ('open', 'contacted', 'cleared'), False)],
    'furusato_suspect_contacts': [('method', ('phone', 'email', 'letter', 'fax'), False)],
    'furusato_corrections': [('channel', CHANNELS, True), ('source', ('donor_request', 'staff', 'import'), False)],
    'furusato_catalog_requests': [('channel', CHANNELS, False)],
}


def _allowed(values: tuple[str, ...], blank: bool) -> list[str]:
    return ([''] if blank else []) + list(values)


def upgrade():
    conn = op.get_bind()
    for table, checks in CHECKS.items():
        for column, values, blank in checks:
            allowed = _allowed(values, blank)
            found = conn.execute(sa.text(
                f'SELECT DISTINCT {column} FROM {table} WHERE {column} NOT IN '  # noqa: S608 - our own names
                f'({", ".join(f":v{i}" for i in range(len(allowed)))})'),
                {f"v{i}": v for i, v in enumerate(allowed)}).scalars().all()
            if found:
                raise RuntimeError(f'{table}.{column} has values no state or kind has: {sorted(found)}; '
                                   'correct those rows, then upgrade again')
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values, blank in checks:
                listed = ", ".join(f"'{v}'" for v in _allowed(values, blank))
                batch_op.create_check_constraint(op.f(f'ck_{table}_{column}'), f'{column} IN ({listed})')


def downgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, _, _ in checks:
                batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')
