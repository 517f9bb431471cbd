"""furusato export requests: an export of personal data beyond a day's list needs approval

Revision ID: f0b80e75054c
Revises: 8473f4d73e36
Create Date: 2026-12-02 10:01:00

000 別紙 §8(2): the request, its purpose and scope, who approved it and when. A new table:
no data moves.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f0b80e75054c'
down_revision = '8473f4d73e36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('furusato_export_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('encoding', sa.String(length=20), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('supervisor_at', sa.DateTime(), nullable=True),
    sa.Column('city_id', sa.Integer(), nullable=True),
    sa.Column('city_at', sa.DateTime(), nullable=True),
    sa.Column('refused_by_id', sa.Integer(), nullable=True),
    sa.Column('refused_at', sa.DateTime(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'approved', 'refused')", name=op.f('ck_furusato_export_requests_state')),
    sa.ForeignKeyConstraint(['city_id'], ['users.id'], name=op.f('fk_furusato_export_requests_city_id_users')),
    sa.ForeignKeyConstraint(['refused_by_id'], ['users.id'], name=op.f('fk_furusato_export_requests_refused_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_furusato_export_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_furusato_export_requests_supervisor_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_furusato_export_requests_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_export_requests'))
    )
    with op.batch_alter_table('furusato_export_requests', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_export_requests_state', ['state'], unique=False)



def downgrade():
    with op.batch_alter_table('furusato_export_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_furusato_export_requests_state')

    op.drop_table('furusato_export_requests')
