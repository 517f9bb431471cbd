"""furusato: payments of donations, corrections as superseding rows (issue 16 §1)

Revision ID: 5b8d2f6a4e17
Revises: 3d5e7a9b1c24
Create Date: 2026-12-02 12:00:00

A new table: no data moves (a donation a portal reported paid keeps its paid_on; it has no
payment row, the portal's file being its record).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b8d2f6a4e17'
down_revision = '3d5e7a9b1c24'
branch_labels = None
depends_on = None

METHODS = ('card', 'bank', 'postal', 'convenience', 'carrier', 'e_money', 'cash', 'other')


def upgrade():
    op.create_table('furusato_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint(f"method IN ({', '.join(repr(m) for m in METHODS)})",
                       name=op.f('ck_furusato_payments_method')),
    sa.ForeignKeyConstraint(['donation_id'], ['furusato_donations.id'],
                            name=op.f('fk_furusato_payments_donation_id_furusato_donations')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['furusato_payments.id'],
                            name=op.f('fk_furusato_payments_supersedes_id_furusato_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_payments')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_furusato_payments_supersedes_id'))
    )
    with op.batch_alter_table('furusato_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_payments_donation_id'), ['donation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('furusato_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_payments_donation_id'))
    op.drop_table('furusato_payments')
