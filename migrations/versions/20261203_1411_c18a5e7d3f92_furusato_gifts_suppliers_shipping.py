"""furusato: suppliers, undertakings, the gift master, stock per portal, shipping (issue 18)

Revision ID: c18a5e7d3f92
Revises: a19c7e5b3d41
Create Date: 2026-12-02 06:09:43

The gift table keeps its rows: the gifts there were entered by the demo loader and are on the
portals, so they become 掲載中 (listed), or 終了 (ended) where they were no longer active.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c18a5e7d3f92'
down_revision = 'a19c7e5b3d41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('furusato_delivery_mail_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_delivery_mail_templates'))
    )
    op.create_table('furusato_suppliers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('postal_code', sa.String(length=8), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('bank', sa.String(length=200), nullable=False),
    sa.Column('order_weekdays', sa.String(length=20), nullable=False),
    sa.Column('fewer_orders_approved', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_suppliers')),
    sa.UniqueConstraint('code', name=op.f('uq_furusato_suppliers_code'))
    )
    op.create_table('furusato_order_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('ordered_at', sa.DateTime(), nullable=False),
    sa.Column('ship_on', sa.Date(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['furusato_suppliers.id'], name=op.f('fk_furusato_order_runs_supplier_id_furusato_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_order_runs'))
    )
    with op.batch_alter_table('furusato_order_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_order_runs_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('furusato_supplier_undertakings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('local_product', 'food_labelling', 'other_rules')", name=op.f('ck_furusato_supplier_undertakings_kind')),
    sa.ForeignKeyConstraint(['supplier_id'], ['furusato_suppliers.id'], name=op.f('fk_furusato_supplier_undertakings_supplier_id_furusato_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_supplier_undertakings'))
    )
    with op.batch_alter_table('furusato_supplier_undertakings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_supplier_undertakings_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('furusato_gift_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['gift_id'], ['furusato_gifts.id'], name=op.f('fk_furusato_gift_events_gift_id_furusato_gifts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_gift_events'))
    )
    with op.batch_alter_table('furusato_gift_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_gift_events_gift_id'), ['gift_id'], unique=False)

    op.create_table('furusato_gift_portals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gift_id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('portal_code', sa.String(length=40), nullable=False),
    sa.Column('allocated', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['gift_id'], ['furusato_gifts.id'], name=op.f('fk_furusato_gift_portals_gift_id_furusato_gifts')),
    sa.ForeignKeyConstraint(['portal_id'], ['furusato_portals.id'], name=op.f('fk_furusato_gift_portals_portal_id_furusato_portals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_gift_portals')),
    sa.UniqueConstraint('gift_id', 'portal_id', name=op.f('uq_furusato_gift_portals_gift_id_portal_id'))
    )
    with op.batch_alter_table('furusato_gift_portals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_gift_portals_gift_id'), ['gift_id'], unique=False)

    op.create_table('furusato_shipment_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=True),
    sa.Column('gift_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=15), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('postal_code', sa.String(length=8), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('building', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('wish_date', sa.Date(), nullable=True),
    sa.Column('time_band', sa.String(length=4), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('tracking_number', sa.String(length=20), nullable=False),
    sa.Column('shipped_on', sa.Date(), nullable=True),
    sa.Column('reshipment_of_id', sa.Integer(), nullable=True),
    sa.Column('blocked_reason', sa.Text(), nullable=False),
    sa.Column('mail_state', sa.String(length=10), nullable=False),
    sa.Column('mailed_at', sa.DateTime(), nullable=True),
    sa.Column('mail_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("mail_state IN ('sent', 'bounced', '')", name=op.f('ck_furusato_shipment_lines_mail_state')),
    sa.CheckConstraint("source IN ('donation', 'reshipment', 'pre_operation')", name=op.f('ck_furusato_shipment_lines_source')),
    sa.CheckConstraint("state IN ('open', 'ordered', 'shipped', 'blocked', 'cancelled')", name=op.f('ck_furusato_shipment_lines_state')),
    sa.CheckConstraint("time_band IN ('0812', '1214', '1416', '1618', '1820', '2021', '')", name=op.f('ck_furusato_shipment_lines_time_band')),
    sa.ForeignKeyConstraint(['donation_id'], ['furusato_donations.id'], name=op.f('fk_furusato_shipment_lines_donation_id_furusato_donations')),
    sa.ForeignKeyConstraint(['gift_id'], ['furusato_gifts.id'], name=op.f('fk_furusato_shipment_lines_gift_id_furusato_gifts')),
    sa.ForeignKeyConstraint(['reshipment_of_id'], ['furusato_shipment_lines.id'], name=op.f('fk_furusato_shipment_lines_reshipment_of_id_furusato_shipment_lines')),
    sa.ForeignKeyConstraint(['run_id'], ['furusato_order_runs.id'], name=op.f('fk_furusato_shipment_lines_run_id_furusato_order_runs')),
    sa.ForeignKeyConstraint(['supplier_id'], ['furusato_suppliers.id'], name=op.f('fk_furusato_shipment_lines_supplier_id_furusato_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_shipment_lines'))
    )
    with op.batch_alter_table('furusato_shipment_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_shipment_lines_donation_id'), ['donation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_shipment_lines_run_id'), ['run_id'], unique=False)
        batch_op.create_index('ix_furusato_shipment_lines_supplier_state', ['supplier_id', 'state'], unique=False)

    op.create_table('furusato_shipping_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=15), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('donor_contact', sa.Text(), nullable=False),
    sa.Column('supplier_answer', sa.Text(), nullable=False),
    sa.Column('complaint', sa.Boolean(), nullable=False),
    sa.Column('reshipment_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('delay', 'damage', 'wrong_item', 'returned')", name=op.f('ck_furusato_shipping_problems_kind')),
    sa.ForeignKeyConstraint(['line_id'], ['furusato_shipment_lines.id'], name=op.f('fk_furusato_shipping_problems_line_id_furusato_shipment_lines')),
    sa.ForeignKeyConstraint(['reshipment_id'], ['furusato_shipment_lines.id'], name=op.f('fk_furusato_shipping_problems_reshipment_id_furusato_shipment_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_shipping_problems'))
    )
    with op.batch_alter_table('furusato_shipping_problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_shipping_problems_line_id'), ['line_id'], unique=False)

    with op.batch_alter_table('furusato_gifts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplier_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cost', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('shipping_class', sa.String(length=10), server_default='ambient', nullable=False))
        batch_op.add_column(sa.Column('size', sa.Integer(), server_default='60', nullable=False))
        batch_op.add_column(sa.Column('lead_days', sa.Integer(), server_default='7', nullable=False))
        batch_op.add_column(sa.Column('season_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('season_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('local_category', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('local_evidence', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('state', sa.String(length=10), server_default='listed', nullable=False))
        batch_op.add_column(sa.Column('low_stock', sa.Integer(), server_default='5', nullable=False))
        batch_op.create_index(batch_op.f('ix_furusato_gifts_supplier_id'), ['supplier_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_furusato_gifts_supplier_id_furusato_suppliers'), 'furusato_suppliers', ['supplier_id'], ['id'])
        batch_op.create_check_constraint(
            batch_op.f('ck_furusato_gifts_state'), "state IN ('proposed', 'approved', 'listed', 'paused', 'ended')")
        batch_op.create_check_constraint(batch_op.f('ck_furusato_gifts_shipping_class'), "shipping_class IN ('ambient', 'chilled', 'frozen')")
    op.execute(sa.text("UPDATE furusato_gifts SET state = 'ended' WHERE active = :no").bindparams(no=False))



def downgrade():
    with op.batch_alter_table('furusato_gifts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_furusato_gifts_shipping_class'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_furusato_gifts_state'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_furusato_gifts_supplier_id_furusato_suppliers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_furusato_gifts_supplier_id'))
        batch_op.drop_column('low_stock')
        batch_op.drop_column('state')
        batch_op.drop_column('local_evidence')
        batch_op.drop_column('local_category')
        batch_op.drop_column('season_to')
        batch_op.drop_column('season_from')
        batch_op.drop_column('lead_days')
        batch_op.drop_column('size')
        batch_op.drop_column('shipping_class')
        batch_op.drop_column('cost')
        batch_op.drop_column('supplier_id')

    with op.batch_alter_table('furusato_shipping_problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_shipping_problems_line_id'))

    op.drop_table('furusato_shipping_problems')
    with op.batch_alter_table('furusato_shipment_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_shipment_lines_supplier_state')
        batch_op.drop_index(batch_op.f('ix_furusato_shipment_lines_run_id'))
        batch_op.drop_index(batch_op.f('ix_furusato_shipment_lines_donation_id'))

    op.drop_table('furusato_shipment_lines')
    with op.batch_alter_table('furusato_gift_portals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_gift_portals_gift_id'))

    op.drop_table('furusato_gift_portals')
    with op.batch_alter_table('furusato_gift_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_gift_events_gift_id'))

    op.drop_table('furusato_gift_events')
    with op.batch_alter_table('furusato_supplier_undertakings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_supplier_undertakings_supplier_id'))

    op.drop_table('furusato_supplier_undertakings')
    with op.batch_alter_table('furusato_order_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_order_runs_supplier_id'))

    op.drop_table('furusato_order_runs')
    op.drop_table('furusato_suppliers')
    op.drop_table('furusato_delivery_mail_templates')
