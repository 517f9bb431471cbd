"""device jobs name their source (the payment a receipt is for)

Revision ID: 07a7f083ca2a
Revises: 5e41a1c0d7b2
Create Date: 2026-12-10 09:00:00

A payment's page showed its receipt's print job by searching the jobs' summaries for the
receipt number. Jobs now carry the object they are for. Existing receipt and void-slip jobs get
theirs from that same summary ("領収書 2026-000123 600円", "領収書（再発行） …",
"領収取消 2026-000123 …"); other jobs (tickets, call boards, card reads) are looked up by no
page and keep an empty source.
"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '07a7f083ca2a'
down_revision = '5e41a1c0d7b2'
branch_labels = None
depends_on = None

RECEIPT_NUMBER = re.compile(r"(\d{4})-(\d{6})")


def upgrade():
    with op.batch_alter_table('device_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_type', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_device_jobs_source', ['source_type', 'source_id'], unique=False)
    with op.batch_alter_table('device_jobs', schema=None) as batch_op:
        batch_op.alter_column('source_type', existing_type=sa.String(length=30), server_default=None)
    _receipt_jobs_name_their_payments()


def _receipt_jobs_name_their_payments():
    conn = op.get_bind()
    jobs = conn.execute(sa.text(
        "SELECT id, summary FROM device_jobs WHERE kind = 'print' AND summary LIKE '領収%'")).all()
    for job_id, summary in jobs:
        number = RECEIPT_NUMBER.search(summary or "")
        if number is None:
            continue
        receipt = {"year": int(number[1]), "number": int(number[2])}
        if summary.startswith("領収取消"):  # the void slip belongs to the void record
            payment_id = conn.execute(sa.text(
                "SELECT v.id FROM payments v JOIN payments p ON v.reverses_id = p.id"
                " WHERE p.fiscal_year = :year AND p.receipt_number = :number"), receipt).scalar()
        else:
            payment_id = conn.execute(sa.text(
                "SELECT id FROM payments WHERE fiscal_year = :year AND receipt_number = :number"), receipt).scalar()
        if payment_id is not None:
            conn.execute(sa.text("UPDATE device_jobs SET source_type = 'payment', source_id = :payment"
                                 " WHERE id = :job"), {"payment": payment_id, "job": job_id})


def downgrade():
    with op.batch_alter_table('device_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_device_jobs_source')
        batch_op.drop_column('source_id')
        batch_op.drop_column('source_type')
