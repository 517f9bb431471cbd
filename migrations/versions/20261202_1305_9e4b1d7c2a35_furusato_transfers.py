"""furusato: bank and 郵便振替 transfer files and their rows, matched to donations (issue 16 §1)

Revision ID: 9e4b1d7c2a35
Revises: 9d4b6c8e2f31
Create Date: 2026-12-02 02:19:13

New tables: no data moves.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9e4b1d7c2a35'
down_revision = "9d4b6c8e2f31"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('furusato_transfer_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('encoding', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('recorded', sa.Integer(), nullable=False),
    sa.Column('uncertain', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("method IN ('card', 'bank', 'postal', 'convenience', 'carrier', 'e_money', 'cash', 'other')", name=op.f('ck_furusato_transfer_batches_method')),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_furusato_transfer_batches_status')),
    sa.ForeignKeyConstraint(['file_id'], ['furusato_import_files.id'], name=op.f('fk_furusato_transfer_batches_file_id_furusato_import_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_transfer_batches'))
    )
    with op.batch_alter_table('furusato_transfer_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_transfer_batches_sha256'), ['sha256'], unique=False)

    op.create_table('furusato_transfer_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('transferred_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('payer', sa.String(length=100), nullable=False),
    sa.Column('payer_key', sa.String(length=100), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('match', sa.String(length=15), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('resolved_by', sa.String(length=64), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint("match IN ('certain', 'order', 'several', 'name_only', 'amount_only', 'taken', 'none')", name=op.f('ck_furusato_transfer_rows_match')),
    sa.CheckConstraint("state IN ('recorded', 'uncertain', 'unmatched', 'excluded')", name=op.f('ck_furusato_transfer_rows_state')),
    sa.ForeignKeyConstraint(['batch_id'], ['furusato_transfer_batches.id'], name=op.f('fk_furusato_transfer_rows_batch_id_furusato_transfer_batches')),
    sa.ForeignKeyConstraint(['donation_id'], ['furusato_donations.id'], name=op.f('fk_furusato_transfer_rows_donation_id_furusato_donations')),
    sa.ForeignKeyConstraint(['payment_id'], ['furusato_payments.id'], name=op.f('fk_furusato_transfer_rows_payment_id_furusato_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_transfer_rows'))
    )
    with op.batch_alter_table('furusato_transfer_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_transfer_rows_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_furusato_transfer_rows_same', ['transferred_on', 'amount'], unique=False)
        batch_op.create_index('ix_furusato_transfer_rows_state', ['state', 'transferred_on'], unique=False)



def downgrade():
    with op.batch_alter_table('furusato_transfer_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_transfer_rows_state')
        batch_op.drop_index('ix_furusato_transfer_rows_same')
        batch_op.drop_index(batch_op.f('ix_furusato_transfer_rows_batch_id'))

    op.drop_table('furusato_transfer_rows')
    with op.batch_alter_table('furusato_transfer_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_transfer_batches_sha256'))

    op.drop_table('furusato_transfer_batches')
