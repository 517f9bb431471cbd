"""register: fees, bills, payments and receipts, voids, the daily close

Payments, their lines, daily closes and cash counts are append-only in the database too.

Revision ID: 8b37754d96c0
Revises: 2f44f07bb8fd
Create Date: 2026-11-21 21:26:19.423668

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b37754d96c0'
down_revision = '2f44f07bb8fd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('receipt_sequences',
    sa.Column('fiscal_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('fiscal_year', name=op.f('pk_receipt_sequences'))
    )
    op.create_table('bills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_type', sa.String(length=30), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('visitor_label', sa.String(length=100), nullable=False),
    sa.Column('ticket_number', sa.String(length=20), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_bills_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bills'))
    )
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.create_index('ix_bills_source', ['source_type', 'source_id'], unique=False)
        batch_op.create_index('ix_bills_state_opened_at', ['state', 'opened_at'], unique=False)

    op.create_table('fees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_fees_amount_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_fees_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fees')),
    sa.UniqueConstraint('code', 'effective_from', name=op.f('uq_fees_code_effective_from'))
    )
    op.create_table('bill_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('fee_code', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('official', sa.Boolean(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_bill_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_bill_lines_bill_id_bills')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_lines'))
    )
    op.create_table('register_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('opening_float', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_register_days_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_days')),
    sa.UniqueConstraint('terminal_id', 'business_date', name=op.f('uq_register_days_terminal_id_business_date'))
    )
    op.create_table('daily_closes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('register_day_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=False),
    sa.Column('expected_cash', sa.Integer(), nullable=False),
    sa.Column('counted_cash', sa.Integer(), nullable=False),
    sa.Column('difference', sa.Integer(), nullable=False),
    sa.Column('difference_reason', sa.Text(), nullable=False),
    sa.Column('next_float', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_daily_closes_closed_by_id_users')),
    sa.ForeignKeyConstraint(['register_day_id'], ['register_days.id'], name=op.f('fk_daily_closes_register_day_id_register_days')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_closes')),
    sa.UniqueConstraint('register_day_id', name=op.f('uq_daily_closes_register_day_id'))
    )
    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('register_day_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('receipt_number', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('method_reference', sa.String(length=60), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('change', sa.Integer(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=False),
    sa.Column('cashier_id', sa.Integer(), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("kind = 'payment' OR reverses_id IS NOT NULL", name=op.f('ck_payments_void_reverses')),
    sa.CheckConstraint("kind = 'void' OR receipt_number IS NOT NULL", name=op.f('ck_payments_payment_numbered')),
    sa.CheckConstraint("kind IN ('payment', 'void')", name=op.f('ck_payments_kind_known')),
    sa.CheckConstraint('received - change = total', name=op.f('ck_payments_cash_balances')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_payments_approved_by_id_users')),
    sa.ForeignKeyConstraint(['bill_id'], ['bills.id'], name=op.f('fk_payments_bill_id_bills')),
    sa.ForeignKeyConstraint(['cashier_id'], ['users.id'], name=op.f('fk_payments_cashier_id_users')),
    sa.ForeignKeyConstraint(['register_day_id'], ['register_days.id'], name=op.f('fk_payments_register_day_id_register_days')),
    sa.ForeignKeyConstraint(['reverses_id'], ['payments.id'], name=op.f('fk_payments_reverses_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('fiscal_year', 'receipt_number', name=op.f('uq_payments_fiscal_year_receipt_number')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payments_idempotency_key')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_payments_reverses_id'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_bill', ['bill_id'], unique=False)
        batch_op.create_index('ix_payments_day', ['register_day_id', 'id'], unique=False)

    op.create_table('cash_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('daily_close_id', sa.Integer(), nullable=False),
    sa.Column('denomination', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_cash_counts_quantity_not_negative')),
    sa.ForeignKeyConstraint(['daily_close_id'], ['daily_closes.id'], name=op.f('fk_cash_counts_daily_close_id_daily_closes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_counts')),
    sa.UniqueConstraint('daily_close_id', 'denomination', name=op.f('uq_cash_counts_daily_close_id_denomination'))
    )
    op.create_table('payment_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('fee_code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_amount', sa.Integer(), nullable=False),
    sa.Column('official', sa.Boolean(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_lines_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_lines'))
    )
    op.create_table('void_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reopen_bill', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('void_payment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_void_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_void_requests_payment_id_payments')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_void_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_void_requests_terminal_id_terminals')),
    sa.ForeignKeyConstraint(['void_payment_id'], ['payments.id'], name=op.f('fk_void_requests_void_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_void_requests'))
    )
    with op.batch_alter_table('void_requests', schema=None) as batch_op:
        batch_op.create_index('ix_void_requests_state', ['state', 'id'], unique=False)

    _make_append_only()


APPEND_ONLY = ('payments', 'payment_lines', 'daily_closes', 'cash_counts')


def _make_append_only():
    """Money records refuse UPDATE and DELETE in the database itself, not only in the app:
    a void is a new row that reverses a payment (000 §6(10))."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION register_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION register_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )



def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION register_append_only()")
    with op.batch_alter_table('void_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_void_requests_state')

    op.drop_table('void_requests')
    op.drop_table('payment_lines')
    op.drop_table('cash_counts')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_day')
        batch_op.drop_index('ix_payments_bill')

    op.drop_table('payments')
    op.drop_table('daily_closes')
    op.drop_table('register_days')
    op.drop_table('bill_lines')
    op.drop_table('fees')
    with op.batch_alter_table('bills', schema=None) as batch_op:
        batch_op.drop_index('ix_bills_state_opened_at')
        batch_op.drop_index('ix_bills_source')

    op.drop_table('bills')
    op.drop_table('receipt_sequences')
