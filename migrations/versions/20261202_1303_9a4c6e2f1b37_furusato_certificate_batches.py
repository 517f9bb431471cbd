"""furusato: 受領証明書の印刷バッチ (issue 16 §3)

Revision ID: 9a4c6e2f1b37
Revises: 9e4b6c2d8a31
Create Date: 2026-12-02 13:00:00

A new table: no data moves.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9a4c6e2f1b37'
down_revision = "9e4b6c2d8a31"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'furusato_certificate_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('portal_id', sa.Integer(), nullable=True),
        sa.Column('paid_from', sa.Date(), nullable=True),
        sa.Column('paid_to', sa.Date(), nullable=True),
        sa.Column('due_by', sa.Date(), nullable=True),
        sa.Column('one_stop', sa.String(length=10), nullable=False),
        sa.Column('redo_of_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('envelopes', sa.Integer(), nullable=False),
        sa.Column('certificates', sa.Integer(), nullable=False),
        sa.Column('reissues', sa.Integer(), nullable=False),
        sa.Column('one_stop_forms', sa.Integer(), nullable=False),
        sa.Column('total_amount', sa.Integer(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('printed_at', sa.DateTime(), nullable=True),
        sa.Column('posted_at', sa.DateTime(), nullable=True),
        sa.Column('posted_by_id', sa.Integer(), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(), nullable=True),
        sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('making', 'printable', 'posted', 'cancelled')",
                           name=op.f('ck_furusato_certificate_batches_state')),
        sa.CheckConstraint("one_stop IN ('wanted', 'not_wanted', '')",
                           name=op.f('ck_furusato_certificate_batches_one_stop')),
        sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'],
                                name=op.f('fk_furusato_certificate_batches_cancelled_by_id_users')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_furusato_certificate_batches_created_by_id_users')),
        sa.ForeignKeyConstraint(['portal_id'], ['furusato_portals.id'],
                                name=op.f('fk_furusato_certificate_batches_portal_id_furusato_portals')),
        sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'],
                                name=op.f('fk_furusato_certificate_batches_posted_by_id_users')),
        sa.ForeignKeyConstraint(['redo_of_id'], ['furusato_certificate_batches.id'],
                                name='fk_furusato_certificate_batches_redo_of_id'),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_furusato_certificate_batches_task_id_tasks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_certificate_batches')),
    )
    with op.batch_alter_table('furusato_certificate_batches', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_certificate_batches_state', ['state'], unique=False)
    # The batch a certificate was printed in is looked up by its label (Certificate.batch).
    with op.batch_alter_table('furusato_certificates', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_certificates_batch', ['batch'], unique=False)


def downgrade():
    with op.batch_alter_table('furusato_certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_certificates_batch')
    op.drop_table('furusato_certificate_batches')
