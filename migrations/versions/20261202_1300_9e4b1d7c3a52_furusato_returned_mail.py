"""furusato: 郵便物の戻り (returned certificates) and their follow-up

Revision ID: 9e4b1d7c3a52
Revises: 7c2e4a6b8d10
Create Date: 2026-12-02 13:00:00

Two new tables; no data moves.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9e4b1d7c3a52'
down_revision = '7c2e4a6b8d10'
branch_labels = None
depends_on = None

REASONS = "reason IN ('unknown_address', 'moved', 'refused', 'unclaimed', 'other')"
OUTCOMES = "outcome IN ('corrected', 'unreachable', 'no_resend', '')"


def upgrade():
    op.create_table(
        'furusato_returned_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('donor_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('reason_note', sa.Text(), nullable=False),
        sa.Column('returned_on', sa.Date(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('outcome_note', sa.Text(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(REASONS, name=op.f('ck_furusato_returned_mail_reason')),
        sa.CheckConstraint(OUTCOMES, name=op.f('ck_furusato_returned_mail_outcome')),
        sa.ForeignKeyConstraint(['certificate_id'], ['furusato_certificates.id'],
                                name=op.f('fk_furusato_returned_mail_certificate_id_furusato_certificates')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'],
                                name=op.f('fk_furusato_returned_mail_closed_by_id_users')),
        sa.ForeignKeyConstraint(['donor_id'], ['furusato_donors.id'],
                                name=op.f('fk_furusato_returned_mail_donor_id_furusato_donors')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_furusato_returned_mail_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_returned_mail')),
    )
    with op.batch_alter_table('furusato_returned_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_returned_mail_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index('ix_furusato_returned_mail_open', ['closed_at', 'returned_on'], unique=False)
    op.create_table(
        'furusato_returned_mail_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('return_id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('reissue_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['certificate_id'], ['furusato_certificates.id'],
                                name=op.f('fk_furusato_returned_mail_items_certificate_id_furusato_certificates')),
        sa.ForeignKeyConstraint(['reissue_id'], ['furusato_certificates.id'],
                                name=op.f('fk_furusato_returned_mail_items_reissue_id_furusato_certificates')),
        sa.ForeignKeyConstraint(['return_id'], ['furusato_returned_mail.id'],
                                name=op.f('fk_furusato_returned_mail_items_return_id_furusato_returned_mail')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_returned_mail_items')),
        sa.UniqueConstraint('certificate_id', name=op.f('uq_furusato_returned_mail_items_certificate_id')),
    )
    with op.batch_alter_table('furusato_returned_mail_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_furusato_returned_mail_items_return_id'), ['return_id'],
                              unique=False)


def downgrade():
    op.drop_table('furusato_returned_mail_items')
    op.drop_table('furusato_returned_mail')
