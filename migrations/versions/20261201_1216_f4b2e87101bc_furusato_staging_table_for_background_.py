"""furusato: staging table for background imports

A portal import runs as a task: the file is parsed and checked into this table in short
transactions, then applied from it (app/furusato/imports.py). Rows live only while their
batch is being imported, so there is no data to move.

Revision ID: f4b2e87101bc
Revises: 22aaf90804f2
Create Date: 2026-12-01 12:16:26.662259

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4b2e87101bc'
down_revision = '22aaf90804f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('furusato_import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staged', sa.Integer(), server_default='0', nullable=False))
    op.create_table('furusato_import_staging',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('payment_method', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('gift_code', sa.String(length=40), nullable=False),
    sa.Column('gift_name', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('one_stop', sa.Boolean(), nullable=False),
    sa.Column('receipt_wish', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kana', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('postal_code', sa.String(length=8), nullable=False),
    sa.Column('prefecture', sa.String(length=4), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('kana_key', sa.String(length=100), nullable=False),
    sa.Column('key_birth', sa.String(length=120), nullable=True),
    sa.Column('key_phone', sa.String(length=120), nullable=True),
    sa.Column('key_address', sa.String(length=300), nullable=True),
    sa.Column('key_postal', sa.String(length=120), nullable=True),
    sa.Column('phone_key', sa.String(length=20), nullable=True),
    sa.Column('suspects', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['furusato_import_batches.id'], name=op.f('fk_furusato_import_staging_batch_id_furusato_import_batches')),
    sa.PrimaryKeyConstraint('batch_id', 'row_no', name=op.f('pk_furusato_import_staging'))
    )
    with op.batch_alter_table('furusato_import_staging', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_import_staging_batch_order', ['batch_id', 'order_id'], unique=False)



def downgrade():
    with op.batch_alter_table('furusato_import_staging', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_import_staging_batch_order')

    op.drop_table('furusato_import_staging')
    with op.batch_alter_table('furusato_import_batches', schema=None) as batch_op:
        batch_op.drop_column('staged')
