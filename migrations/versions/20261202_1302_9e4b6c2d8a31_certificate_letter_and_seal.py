"""certificates: the city's seal image, the letter template per fiscal year, the envelope layout

Revision ID: 9e4b6c2d8a31
Revises: c4a9e2f1b7d3
Create Date: 2026-12-02 12:10:00

Two new tables and two columns on municipality (the seal is empty until the city uploads it;
its size defaults to 21 mm); no data moves.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9e4b6c2d8a31'
down_revision = 'c4a9e2f1b7d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('municipality') as batch:
        batch.add_column(sa.Column('seal_png', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('seal_mm', sa.Double(), server_default='21', nullable=False))
    op.create_table(
        'furusato_letter_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_furusato_letter_templates_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_letter_templates')),
        sa.UniqueConstraint('fiscal_year', name=op.f('uq_furusato_letter_templates_fiscal_year')),
    )
    op.create_table(
        'furusato_envelope_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address_left_mm', sa.Double(), nullable=False),
        sa.Column('address_top_mm', sa.Double(), nullable=False),
        sa.Column('office_name', sa.String(length=100), nullable=False),
        sa.Column('office_phone', sa.String(length=20), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_furusato_envelope_settings_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_furusato_envelope_settings')),
    )


def downgrade():
    op.drop_table('furusato_envelope_settings')
    op.drop_table('furusato_letter_templates')
    with op.batch_alter_table('municipality') as batch:
        batch.drop_column('seal_mm')
        batch.drop_column('seal_png')
