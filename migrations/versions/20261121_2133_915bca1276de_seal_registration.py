"""Seal registration: applications, the seal record (印鑑登録原票) and certificates with their fee line

Revision ID: 915bca1276de
Revises: 8b37754d96c0
Create Date: 2026-11-21 21:33:19.180670

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '915bca1276de'
down_revision = '8b37754d96c0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seal_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_number', sa.String(length=16), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kana', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('image_png', sa.LargeBinary(), nullable=False),
    sa.Column('dpi', sa.Integer(), nullable=False),
    sa.Column('side_mm', sa.Double(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('card_valid', sa.Boolean(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('abolished_on', sa.Date(), nullable=True),
    sa.Column('abolition_reason', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seal_records')),
    sa.UniqueConstraint('card_number', name=op.f('uq_seal_records_card_number'))
    )
    with op.batch_alter_table('seal_records', schema=None) as batch_op:
        batch_op.create_index('ix_seal_records_household', ['household_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_seal_records_resident_id'), ['resident_id'], unique=False)

    op.create_table('seal_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kana', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('applicant_kind', sa.String(length=10), nullable=False),
    sa.Column('proxy_name', sa.String(length=100), nullable=False),
    sa.Column('identity_path', sa.String(length=12), nullable=False),
    sa.Column('id_document', sa.String(length=20), nullable=False),
    sa.Column('image_png', sa.LargeBinary(), nullable=True),
    sa.Column('dpi', sa.Integer(), nullable=True),
    sa.Column('side_mm', sa.Double(), nullable=True),
    sa.Column('check_ok', sa.Boolean(), nullable=True),
    sa.Column('check_result', sa.JSON(), nullable=True),
    sa.Column('confirm_name', sa.Boolean(), nullable=False),
    sa.Column('confirm_not_rubber', sa.Boolean(), nullable=False),
    sa.Column('confirm_no_title', sa.Boolean(), nullable=False),
    sa.Column('inquiry_sent_on', sa.Date(), nullable=True),
    sa.Column('reply_deadline', sa.Date(), nullable=True),
    sa.Column('reply_received_on', sa.Date(), nullable=True),
    sa.Column('reply_id_document', sa.String(length=20), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('review_requested_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('closed_reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_seal_applications_created_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['seal_records.id'], name=op.f('fk_seal_applications_record_id_seal_records')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_seal_applications_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seal_applications'))
    )
    with op.batch_alter_table('seal_applications', schema=None) as batch_op:
        batch_op.create_index('ix_seal_applications_resident', ['resident_id'], unique=False)
        batch_op.create_index('ix_seal_applications_state', ['state', 'id'], unique=False)

    op.create_table('seal_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('card_number', sa.String(length=16), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('fee_code', sa.String(length=40), nullable=False),
    sa.Column('unit_fee', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_seal_certificates_issued_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['seal_records.id'], name=op.f('fk_seal_certificates_record_id_seal_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seal_certificates'))
    )
    with op.batch_alter_table('seal_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seal_certificates_record_id'), ['record_id'], unique=False)



def downgrade():
    with op.batch_alter_table('seal_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seal_certificates_record_id'))

    op.drop_table('seal_certificates')
    with op.batch_alter_table('seal_applications', schema=None) as batch_op:
        batch_op.drop_index('ix_seal_applications_state')
        batch_op.drop_index('ix_seal_applications_resident')

    op.drop_table('seal_applications')
    with op.batch_alter_table('seal_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seal_records_resident_id'))
        batch_op.drop_index('ix_seal_records_household')

    op.drop_table('seal_records')
