"""counter: the temporary-plate ledger, the postal request register, 定額小為替 at the register

(issue 21 "Ledgers") New tables: counter_temporary_plates, counter_temporary_permits (with a
partial unique index that keeps a plate out on one permit at a time) and
counter_postal_requests. The register's payment method gains `postal_money_order`: its CHECK
is widened (SQLite recreates `payments`, so its append-only triggers are made again, as
64637a07edd9 does). No row moves; a downgrade refuses while payments by 定額小為替 exist (they
are append-only, so there is nothing to turn them into).

Revision ID: a7c3e5f1d2b4
Revises: 5f1c8a2d7e44
Create Date: 2026-12-03 14:06:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e5f1d2b4'
down_revision = '5f1c8a2d7e44'
branch_labels = None
depends_on = None

OLD_METHODS = ('cash', 'credit_card', 'e_money', 'qr_code', 'free')
NEW_METHODS = (*OLD_METHODS, 'postal_money_order')


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


def _payments_append_only_again_on_sqlite():
    """SQLite dropped the triggers with the table it recreated (8b37754d96c0 made them)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER payments_no_{event.lower()} BEFORE {event} ON payments "
                   "BEGIN SELECT RAISE(ABORT, 'payments is append-only'); END")


def _payment_methods(values):
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_payments_method'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_payments_method'), f"method IN ({_in(values)})")
    _payments_append_only_again_on_sqlite()


def upgrade():
    op.create_table('counter_temporary_plates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_temporary_plates')),
    sa.UniqueConstraint('number', name=op.f('uq_counter_temporary_plates_number'))
    )
    op.create_table('counter_temporary_permits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('plate_id', sa.Integer(), nullable=False),
    sa.Column('applicant_name', sa.String(length=100), nullable=False),
    sa.Column('applicant_address', sa.String(length=200), nullable=False),
    sa.Column('vehicle_name', sa.String(length=60), nullable=False),
    sa.Column('chassis_number', sa.String(length=40), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('route', sa.String(length=200), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('returned_by_name', sa.String(length=100), nullable=False),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('period_to >= period_from', name=op.f('ck_counter_temporary_permits_period_ordered')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_counter_temporary_permits_issued_by_id_users')),
    sa.ForeignKeyConstraint(['plate_id'], ['counter_temporary_plates.id'], name=op.f('fk_counter_temporary_permits_plate_id_counter_temporary_plates')),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_counter_temporary_permits_received_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_temporary_permits')),
    sa.UniqueConstraint('fiscal_year', 'serial', name=op.f('uq_counter_temporary_permits_fiscal_year_serial'))
    )
    with op.batch_alter_table('counter_temporary_permits', schema=None) as batch_op:
        batch_op.create_index('ix_counter_temporary_permits_period_to', ['period_to'], unique=False)
        batch_op.create_index('uq_counter_temporary_permits_plate_out', ['plate_id'], unique=True, sqlite_where=sa.text('returned_on IS NULL'), postgresql_where=sa.text('returned_on IS NULL'))

    op.create_table('counter_postal_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('requester_name', sa.String(length=100), nullable=False),
    sa.Column('requester_address', sa.String(length=200), nullable=False),
    sa.Column('procedure_code', sa.String(length=50), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('money_order_amount', sa.Integer(), nullable=False),
    sa.Column('money_order_count', sa.Integer(), nullable=False),
    sa.Column('money_order_numbers', sa.String(length=200), nullable=False),
    sa.Column('reply_envelope', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('change_amount', sa.Integer(), nullable=False),
    sa.Column('change_form', sa.String(length=20), nullable=False),
    sa.Column('mailed_on', sa.Date(), nullable=True),
    sa.Column('mailed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("change_form IN ('none', 'money_order', 'stamps')", name=op.f('ck_counter_postal_requests_change_form')),
    sa.CheckConstraint('copies > 0', name=op.f('ck_counter_postal_requests_copies_positive')),
    sa.CheckConstraint('money_order_amount >= 0 AND money_order_count >= 0', name=op.f('ck_counter_postal_requests_money_orders_not_negative')),
    sa.ForeignKeyConstraint(['case_id'], ['counter_cases.id'], name=op.f('fk_counter_postal_requests_case_id_counter_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_counter_postal_requests_created_by_id_users')),
    sa.ForeignKeyConstraint(['mailed_by_id'], ['users.id'], name=op.f('fk_counter_postal_requests_mailed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_postal_requests')),
    sa.UniqueConstraint('case_id', name=op.f('uq_counter_postal_requests_case_id'))
    )
    with op.batch_alter_table('counter_postal_requests', schema=None) as batch_op:
        batch_op.create_index('ix_counter_postal_requests_open', ['mailed_on', 'received_on'], unique=False)
    _payment_methods(NEW_METHODS)


def downgrade():
    rows = op.get_bind().execute(sa.text(
        "SELECT id FROM payments WHERE method = 'postal_money_order' ORDER BY id")).scalars().all()
    if rows:
        raise RuntimeError("Payments by 定額小為替 exist (append-only, ids "
                           f"{', '.join(map(str, rows))}); this revision cannot be undone while they do.")
    _payment_methods(OLD_METHODS)
    with op.batch_alter_table('counter_postal_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_postal_requests_open')

    op.drop_table('counter_postal_requests')
    with op.batch_alter_table('counter_temporary_permits', schema=None) as batch_op:
        batch_op.drop_index('uq_counter_temporary_permits_plate_out', sqlite_where=sa.text('returned_on IS NULL'), postgresql_where=sa.text('returned_on IS NULL'))
        batch_op.drop_index('ix_counter_temporary_permits_period_to')

    op.drop_table('counter_temporary_permits')
    op.drop_table('counter_temporary_plates')
