"""device bindings and jobs

Revision ID: 54950c50790d
Revises: 44e4606d7ca7
Create Date: 2026-11-21 21:11:43.514044

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '54950c50790d'
down_revision = '44e4606d7ca7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('device_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('healthy', sa.Boolean(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('health_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_device_bindings_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_bindings')),
    sa.UniqueConstraint('terminal_id', 'name', name=op.f('uq_device_bindings_terminal_id_name'))
    )
    op.create_table('device_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terminal_id', sa.Integer(), nullable=False),
    sa.Column('device', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('retry', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('sealed', sa.LargeBinary(), nullable=True),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('rerouted_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_device_jobs_created_by_id_users')),
    sa.ForeignKeyConstraint(['rerouted_from_id'], ['device_jobs.id'], name=op.f('fk_device_jobs_rerouted_from_id_device_jobs')),
    sa.ForeignKeyConstraint(['terminal_id'], ['terminals.id'], name=op.f('fk_device_jobs_terminal_id_terminals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_jobs'))
    )
    with op.batch_alter_table('device_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_device_jobs_terminal_state', ['terminal_id', 'state', 'id'], unique=False)

    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agent_public_key', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('terminals', schema=None) as batch_op:
        batch_op.drop_column('agent_public_key')

    with op.batch_alter_table('device_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_device_jobs_terminal_state')

    op.drop_table('device_jobs')
    op.drop_table('device_bindings')
