"""Seal: foreign keys to the registry (residents, households), the counter case an application
was opened from, and the register payment of a certificate

Revision ID: 107292c3d3db
Revises: 915bca1276de
Create Date: 2026-11-21 22:01:23.392623

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '107292c3d3db'
down_revision = '915bca1276de'
branch_labels = None
depends_on = None

# (table, column, referenced table) of the snapshot columns that now point at the registry
REGISTRY_LINKS = (
    ('seal_applications', 'resident_id', 'registry_residents'),
    ('seal_applications', 'household_id', 'registry_households'),
    ('seal_records', 'resident_id', 'registry_residents'),
    ('seal_records', 'household_id', 'registry_households'),
)


def _refuse_orphans():
    """Seal rows typed in before the registry link may name people the registry does not
    have: say which, rather than fail on a constraint (PostgreSQL) or keep them (SQLite)."""
    conn = op.get_bind()
    for table, column, target in REGISTRY_LINKS:
        orphans = conn.execute(sa.text(
            f'SELECT count(*) FROM {table} WHERE {column} NOT IN (SELECT id FROM {target})')).scalar()
        if orphans:
            raise RuntimeError(f'{orphans} row(s) of {table}.{column} name no row of {target}; '
                               'link them to the registry (or reload the demo data) before upgrading')


def upgrade():
    _refuse_orphans()
    with op.batch_alter_table('seal_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_seal_applications_case', ['case_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_seal_applications_case_id_counter_cases'), 'counter_cases', ['case_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_seal_applications_resident_id_registry_residents'), 'registry_residents', ['resident_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_seal_applications_household_id_registry_households'), 'registry_households', ['household_id'], ['id'])

    with op.batch_alter_table('seal_certificates', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_seal_certificates_payment_id_payments'), 'payments', ['payment_id'], ['id'])

    with op.batch_alter_table('seal_records', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_seal_records_resident_id_registry_residents'), 'registry_residents', ['resident_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_seal_records_household_id_registry_households'), 'registry_households', ['household_id'], ['id'])


def downgrade():
    with op.batch_alter_table('seal_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_seal_records_household_id_registry_households'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_seal_records_resident_id_registry_residents'), type_='foreignkey')

    with op.batch_alter_table('seal_certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_seal_certificates_payment_id_payments'), type_='foreignkey')

    with op.batch_alter_table('seal_applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_seal_applications_household_id_registry_households'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_seal_applications_resident_id_registry_residents'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_seal_applications_case_id_counter_cases'), type_='foreignkey')
        batch_op.drop_index('ix_seal_applications_case')
        batch_op.drop_column('case_id')
