"""furusato: the history of a donation's status, the uses (寄附の使い道) per fiscal year

Revision ID: 9d4b6c8e2f31
Revises: 9a4c6e2f1b37
Create Date: 2026-12-02 13:00:00

Two new tables and a use column (default "") on donations and the import staging table;
no data moves.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d4b6c8e2f31'
down_revision = "9a4c6e2f1b37"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('furusato_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_uses')),
    sa.UniqueConstraint('fiscal_year', 'name', name=op.f('uq_furusato_uses_fiscal_year_name'))
    )
    op.create_table('furusato_status_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('from_state', sa.String(length=10), nullable=False),
    sa.Column('to_state', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('refund_amount', sa.Integer(), nullable=True),
    sa.Column('refunded_on', sa.Date(), nullable=True),
    sa.Column('voids_certificate_id', sa.Integer(), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action IN ('wait', 'pay', 'cancel', 'refund', 'reverse')", name=op.f('ck_furusato_status_events_action')),
    sa.CheckConstraint("from_state IN ('applied', 'unpaid', 'paid', 'posted', 'cancelled', 'refunded')", name=op.f('ck_furusato_status_events_from_state')),
    sa.CheckConstraint("to_state IN ('applied', 'unpaid', 'paid', 'posted', 'cancelled', 'refunded')", name=op.f('ck_furusato_status_events_to_state')),
    sa.ForeignKeyConstraint(['donation_id'], ['furusato_donations.id'], name=op.f('fk_furusato_status_events_donation_id_furusato_donations')),
    sa.ForeignKeyConstraint(['reverses_id'], ['furusato_status_events.id'], name=op.f('fk_furusato_status_events_reverses_id_furusato_status_events')),
    sa.ForeignKeyConstraint(['voids_certificate_id'], ['furusato_certificates.id'], name=op.f('fk_furusato_status_events_voids_certificate_id_furusato_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_status_events')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_furusato_status_events_reverses_id'))
    )
    with op.batch_alter_table('furusato_status_events', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_status_events_donation', ['donation_id', 'id'], unique=False)

    with op.batch_alter_table('furusato_donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('use', sa.String(length=200), server_default='', nullable=False))

    with op.batch_alter_table('furusato_import_staging', schema=None) as batch_op:
        batch_op.add_column(sa.Column('use', sa.String(length=200), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('furusato_import_staging', schema=None) as batch_op:
        batch_op.drop_column('use')

    with op.batch_alter_table('furusato_donations', schema=None) as batch_op:
        batch_op.drop_column('use')

    with op.batch_alter_table('furusato_status_events', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_status_events_donation')

    op.drop_table('furusato_status_events')
    op.drop_table('furusato_uses')
