"""core: the versions of the per-process copies of the catalog (issue 22, app/core/cache.py)

Revision ID: 3c7e9a1d5b42
Revises: c7e2a9d4b813
Create Date: 2026-12-03 14:32:00

One new table (cache_versions): no data moves; a missing row is version 0.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c7e9a1d5b42'
down_revision = 'c7e2a9d4b813'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cache_versions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_versions'))
    )


def downgrade():
    op.drop_table('cache_versions')
