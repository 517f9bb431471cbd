"""audit rows know their programme

Revision ID: 8473f4d73e36
Revises: 4667eb8d9c06
Create Date: 2026-12-02 10:00:00

The city audits the contractor of its own programme (000 別紙 §13, 004 特記事項 §14), so each
audit row says whose data it is about. Existing rows get it from their object type, as
app/auth/objects.py has it on this date; rows of no programme (logins, users, devices, the
audit log's own exports) stay NULL. The log is append-only: its triggers are lifted for this one
UPDATE and made again. On SQLite the column is added in place (no copy of the table).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8473f4d73e36'
down_revision = '4667eb8d9c06'
branch_labels = None
depends_on = None

COUNTER_TYPES = (
    'visit', 'case', 'case_list', 'procedure', 'resident', 'resident_search', 'resident_my_number',
    'my_number_card', 'seal_application', 'seal_record', 'seal_certificate', 'bill', 'payment',
    'void_request', 'daily_close', 'register_day', 'fee', 'queue_settings', 'queue_category',
    'queue_tickets', 'queue_summary',
)
FURUSATO_PREFIX = 'furusato_'
SQLITE_TRIGGERS = ('UPDATE', 'DELETE')


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _drop_sqlite_triggers():
    for event in SQLITE_TRIGGERS:
        op.execute(f'DROP TRIGGER IF EXISTS audit_entries_no_{event.lower()}')


def _make_sqlite_triggers():
    for event in SQLITE_TRIGGERS:
        op.execute(f"CREATE TRIGGER audit_entries_no_{event.lower()} BEFORE {event} ON audit_entries "
                   "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END")


def _fill():
    listed = ', '.join(f"'{t}'" for t in COUNTER_TYPES)
    op.execute(f"UPDATE audit_entries SET programme = 'counter' WHERE object_type IN ({listed})")  # noqa: S608
    op.execute(f"UPDATE audit_entries SET programme = 'furusato' WHERE object_type LIKE '{FURUSATO_PREFIX}%'")


CHECK = "programme IN ('counter', 'furusato')"


def upgrade():
    if _sqlite():
        # The log is the one table too large to copy (models.Action): SQLite adds the column
        # with its CHECK in place, rather than by the batch's copy of the table.
        op.execute(f"ALTER TABLE audit_entries ADD COLUMN programme VARCHAR(20) "
                   f"CONSTRAINT ck_audit_entries_programme CHECK ({CHECK})")
    else:
        op.add_column('audit_entries', sa.Column('programme', sa.String(length=20), nullable=True))
        op.create_check_constraint(op.f('ck_audit_entries_programme'), 'audit_entries', CHECK)
    op.create_index('ix_audit_entries_programme_at', 'audit_entries', ['programme', 'at'], unique=False)
    if _sqlite():
        _drop_sqlite_triggers()
        _fill()
        _make_sqlite_triggers()
    else:
        op.execute('ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only')
        _fill()
        op.execute('ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only')


def downgrade():
    op.drop_index('ix_audit_entries_programme_at', table_name='audit_entries')
    if _sqlite():
        _drop_sqlite_triggers()  # the batch copies the table, which drops them
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_entries_programme'), type_='check')
        batch_op.drop_column('programme')
    if _sqlite():
        _make_sqlite_triggers()
