"""furusato: portals, gifts, donors, donations, import batches and issues, profile adjustments,
suspect flags and contacts, corrections, donor merges, catalogue requests, settings (004 §5(2), §7(1)-(3))

Revision ID: 0ff06843bed7
Revises: 54950c50790d
Create Date: 2026-11-21 21:23:00.042499

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0ff06843bed7'
down_revision = '54950c50790d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('furusato_catalog_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kana', sa.String(length=100), nullable=False),
    sa.Column('postal_code', sa.String(length=8), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_catalog_requests'))
    )
    op.create_table('furusato_donors',
    sa.Column('id', sa.Integer(), nullable=False),
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
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('last_donation_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['furusato_donors.id'], name=op.f('fk_furusato_donors_merged_into_id_furusato_donors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_donors'))
    )
    with op.batch_alter_table('furusato_donors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_donors_key_address'), ['key_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_donors_key_birth'), ['key_birth'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_donors_key_phone'), ['key_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_donors_key_postal'), ['key_postal'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_donors_phone_key'), ['phone_key'], unique=False)

    op.create_table('furusato_gifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_gifts')),
    sa.UniqueConstraint('code', name=op.f('uq_furusato_gifts_code'))
    )
    op.create_table('furusato_import_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_import_files'))
    )
    with op.batch_alter_table('furusato_import_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_import_files_sha256'), ['sha256'], unique=False)

    op.create_table('furusato_portals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('limited', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_portals')),
    sa.UniqueConstraint('code', name=op.f('uq_furusato_portals_code'))
    )
    op.create_table('furusato_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('home_prefecture', sa.String(length=4), nullable=False),
    sa.Column('home_city', sa.String(length=50), nullable=False),
    sa.Column('home_postal_prefixes', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_settings'))
    )
    op.create_table('furusato_donor_match_dismissals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_a_id', sa.Integer(), nullable=False),
    sa.Column('donor_b_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['donor_a_id'], ['furusato_donors.id'], name=op.f('fk_furusato_donor_match_dismissals_donor_a_id_furusato_donors')),
    sa.ForeignKeyConstraint(['donor_b_id'], ['furusato_donors.id'], name=op.f('fk_furusato_donor_match_dismissals_donor_b_id_furusato_donors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_donor_match_dismissals')),
    sa.UniqueConstraint('donor_a_id', 'donor_b_id', name=op.f('uq_furusato_donor_match_dismissals_donor_a_id_donor_b_id'))
    )
    op.create_table('furusato_donor_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('donation_ids', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('merged_at', sa.DateTime(), nullable=False),
    sa.Column('merged_by', sa.String(length=64), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['furusato_donors.id'], name=op.f('fk_furusato_donor_merges_source_id_furusato_donors')),
    sa.ForeignKeyConstraint(['target_id'], ['furusato_donors.id'], name=op.f('fk_furusato_donor_merges_target_id_furusato_donors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_donor_merges'))
    )
    with op.batch_alter_table('furusato_donor_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_donor_merges_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_donor_merges_target_id'), ['target_id'], unique=False)

    op.create_table('furusato_import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('encoding', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('accept_good_rows', sa.Boolean(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('suspects', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['furusato_import_files.id'], name=op.f('fk_furusato_import_batches_file_id_furusato_import_files')),
    sa.ForeignKeyConstraint(['portal_id'], ['furusato_portals.id'], name=op.f('fk_furusato_import_batches_portal_id_furusato_portals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_import_batches'))
    )
    with op.batch_alter_table('furusato_import_batches', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_import_batches_portal_started', ['portal_id', 'started_at'], unique=False)

    op.create_table('furusato_profile_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('target', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['furusato_portals.id'], name=op.f('fk_furusato_profile_adjustments_portal_id_furusato_portals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_profile_adjustments')),
    sa.UniqueConstraint('portal_id', 'kind', 'field', 'source', name=op.f('uq_furusato_profile_adjustments_portal_id_kind_field_source'))
    )
    op.create_table('furusato_donations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
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
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['furusato_import_batches.id'], name=op.f('fk_furusato_donations_batch_id_furusato_import_batches')),
    sa.ForeignKeyConstraint(['donor_id'], ['furusato_donors.id'], name=op.f('fk_furusato_donations_donor_id_furusato_donors')),
    sa.ForeignKeyConstraint(['portal_id'], ['furusato_portals.id'], name=op.f('fk_furusato_donations_portal_id_furusato_portals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_donations')),
    sa.UniqueConstraint('portal_id', 'order_id', name=op.f('uq_furusato_donations_portal_id_order_id'))
    )
    with op.batch_alter_table('furusato_donations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_donations_applied_on'), ['applied_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_donations_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index('ix_furusato_donations_portal_applied', ['portal_id', 'applied_on'], unique=False)
        batch_op.create_index('ix_furusato_donations_prefecture_applied', ['prefecture', 'applied_on'], unique=False)

    op.create_table('furusato_import_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['furusato_import_batches.id'], name=op.f('fk_furusato_import_issues_batch_id_furusato_import_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_import_issues'))
    )
    with op.batch_alter_table('furusato_import_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_import_issues_batch_id'), ['batch_id'], unique=False)

    op.create_table('furusato_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=False),
    sa.Column('new_value', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=15), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['furusato_import_batches.id'], name=op.f('fk_furusato_corrections_batch_id_furusato_import_batches')),
    sa.ForeignKeyConstraint(['donation_id'], ['furusato_donations.id'], name=op.f('fk_furusato_corrections_donation_id_furusato_donations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_corrections'))
    )
    with op.batch_alter_table('furusato_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_corrections_donation_id'), ['donation_id'], unique=False)

    op.create_table('furusato_suspect_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donation_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('cleared_at', sa.DateTime(), nullable=True),
    sa.Column('cleared_by', sa.String(length=64), nullable=False),
    sa.Column('clear_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['furusato_import_batches.id'], name=op.f('fk_furusato_suspect_flags_batch_id_furusato_import_batches')),
    sa.ForeignKeyConstraint(['donation_id'], ['furusato_donations.id'], name=op.f('fk_furusato_suspect_flags_donation_id_furusato_donations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_suspect_flags'))
    )
    with op.batch_alter_table('furusato_suspect_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_suspect_flags_donation_id'), ['donation_id'], unique=False)
        batch_op.create_index('ix_furusato_suspect_flags_status_reason', ['status', 'reason'], unique=False)

    op.create_table('furusato_suspect_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['flag_id'], ['furusato_suspect_flags.id'], name=op.f('fk_furusato_suspect_contacts_flag_id_furusato_suspect_flags')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_suspect_contacts'))
    )
    with op.batch_alter_table('furusato_suspect_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_suspect_contacts_flag_id'), ['flag_id'], unique=False)



def downgrade():
    with op.batch_alter_table('furusato_suspect_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_suspect_contacts_flag_id'))

    op.drop_table('furusato_suspect_contacts')
    with op.batch_alter_table('furusato_suspect_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_suspect_flags_status_reason')
        batch_op.drop_index(batch_op.f('ix_furusato_suspect_flags_donation_id'))

    op.drop_table('furusato_suspect_flags')
    with op.batch_alter_table('furusato_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_corrections_donation_id'))

    op.drop_table('furusato_corrections')
    with op.batch_alter_table('furusato_import_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_import_issues_batch_id'))

    op.drop_table('furusato_import_issues')
    with op.batch_alter_table('furusato_donations', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_donations_prefecture_applied')
        batch_op.drop_index('ix_furusato_donations_portal_applied')
        batch_op.drop_index(batch_op.f('ix_furusato_donations_donor_id'))
        batch_op.drop_index(batch_op.f('ix_furusato_donations_applied_on'))

    op.drop_table('furusato_donations')
    op.drop_table('furusato_profile_adjustments')
    with op.batch_alter_table('furusato_import_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_import_batches_portal_started')

    op.drop_table('furusato_import_batches')
    with op.batch_alter_table('furusato_donor_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_donor_merges_target_id'))
        batch_op.drop_index(batch_op.f('ix_furusato_donor_merges_source_id'))

    op.drop_table('furusato_donor_merges')
    op.drop_table('furusato_donor_match_dismissals')
    op.drop_table('furusato_settings')
    op.drop_table('furusato_portals')
    with op.batch_alter_table('furusato_import_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_import_files_sha256'))

    op.drop_table('furusato_import_files')
    op.drop_table('furusato_gifts')
    with op.batch_alter_table('furusato_donors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_furusato_donors_phone_key'))
        batch_op.drop_index(batch_op.f('ix_furusato_donors_key_postal'))
        batch_op.drop_index(batch_op.f('ix_furusato_donors_key_phone'))
        batch_op.drop_index(batch_op.f('ix_furusato_donors_key_birth'))
        batch_op.drop_index(batch_op.f('ix_furusato_donors_key_address'))

    op.drop_table('furusato_donors')
    op.drop_table('furusato_catalog_requests')
