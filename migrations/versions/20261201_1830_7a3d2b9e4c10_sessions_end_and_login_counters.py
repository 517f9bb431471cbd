"""auth: a session epoch per user (ending every session of a user) and login counters

Revision ID: 7a3d2b9e4c10
Revises: 5c1e8f0a7d21
Create Date: 2026-12-01 18:30:00

users.session_epoch starts at 0 for every user: the sessions open at the upgrade name no epoch
and end once (their users log in again). login_counters is new and starts empty: the throttle
counts from the upgrade on.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7a3d2b9e4c10'
down_revision = '5c1e8f0a7d21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'login_counters',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('window_start', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_counters')),
    )


def downgrade():
    op.drop_table('login_counters')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
