"""furusato: 寄附金受領証明書 and their numbers per fiscal year

Revision ID: 7c2e4a6b8d10
Revises: 5b8d2f6a4e17
Create Date: 2026-12-02 12:00:00

Two new tables; no data moves.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c2e4a6b8d10'
down_revision = '5b8d2f6a4e17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'furusato_certificate_counters',
        sa.Column('fiscal_year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('fiscal_year', name=op.f('pk_furusato_certificate_counters')),
    )
    op.create_table(
        'furusato_certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('donation_id', sa.Integer(), nullable=False),
        sa.Column('donor_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('batch', sa.String(length=40), nullable=False),
        sa.Column('reissue_of_id', sa.Integer(), nullable=True),
        sa.Column('posted_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['donation_id'], ['furusato_donations.id'],
                                name=op.f('fk_furusato_certificates_donation_id_furusato_donations')),
        sa.ForeignKeyConstraint(['donor_id'], ['furusato_donors.id'],
                                name=op.f('fk_furusato_certificates_donor_id_furusato_donors')),
        sa.ForeignKeyConstraint(['reissue_of_id'], ['furusato_certificates.id'],
                                name=op.f('fk_furusato_certificates_reissue_of_id_furusato_certificates')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_certificates')),
    )
    with op.batch_alter_table('furusato_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_certificates_donation_id'), ['donation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_furusato_certificates_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index('ux_furusato_certificates_number', ['fiscal_year', 'number'], unique=True,
                              sqlite_where=sa.text('reissue_of_id IS NULL'),
                              postgresql_where=sa.text('reissue_of_id IS NULL'))


def downgrade():
    op.drop_table('furusato_certificates')
    op.drop_table('furusato_certificate_counters')
