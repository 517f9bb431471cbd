"""calls are numbered per board in commit order

Revision ID: 22aaf90804f2
Revises: 8ea1a4c2e7c6
Create Date: 2026-12-01 12:12:43.300290

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '22aaf90804f2'
down_revision = '8ea1a4c2e7c6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('queue_call_sequences',
    sa.Column('board', sa.String(length=10), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('board', name=op.f('pk_queue_call_sequences'))
    )
    with op.batch_alter_table('queue_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
    # Existing calls keep their id as their number: a display still open from before the upgrade
    # reconnects with the last call id it saw as Last-Event-ID, which then means the same call.
    # New calls continue after the board's highest id.
    op.execute("UPDATE queue_calls SET seq = id")
    op.execute(
        "INSERT INTO queue_call_sequences (board, last_seq)"
        " SELECT board, MAX(id) FROM queue_calls GROUP BY board"
    )
    with op.batch_alter_table('queue_calls', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index('ix_queue_calls_board_id')
        batch_op.create_unique_constraint(batch_op.f('uq_queue_calls_board_seq'), ['board', 'seq'])


def downgrade():
    with op.batch_alter_table('queue_calls', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_queue_calls_board_seq'), type_='unique')
        batch_op.create_index('ix_queue_calls_board_id', ['board', 'id'], unique=False)
        batch_op.drop_column('seq')

    op.drop_table('queue_call_sequences')
