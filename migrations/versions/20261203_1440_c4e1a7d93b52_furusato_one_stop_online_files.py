"""furusato: the online one-stop files uploaded on the page (issue 17; 004 §7(11)オ)

Revision ID: c4e1a7d93b52
Revises: 0056c28611a6
Create Date: 2026-12-03 14:40:00

A new table only: each uploaded file, encrypted until its import has run, and the import's
outcome. No data moves.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e1a7d93b52'
down_revision = '0056c28611a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('furusato_onestop_online_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('profile', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('cipher', sa.LargeBinary(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('application_ids', sa.JSON(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('erased_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'done', 'refused')", name=op.f('ck_furusato_onestop_online_files_state')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_furusato_onestop_online_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_onestop_online_files'))
    )


def downgrade():
    op.drop_table('furusato_onestop_online_files')
