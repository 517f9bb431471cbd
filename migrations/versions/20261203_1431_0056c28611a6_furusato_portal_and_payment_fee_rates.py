"""furusato: the portals' and payment fees as settlement rates (issue 19 §2; 004 §13(1)イ ただし書)

Revision ID: 0056c28611a6
Revises: 8d4f1b6c2e97
Create Date: 2026-12-03 14:24:00

furusato_settlement_rates.kind gains 'portal_fee' and 'payment_fee' (the CHECK is widened; SQLite
rebuilds the table through batch_alter_table, the table has no triggers) and its key widens to 20
characters (a portal's code, a payment method such as 'convenience'). No data moves going up.
Going down deletes the fee rates first (the narrower CHECK cannot hold them), then narrows again.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0056c28611a6'
down_revision = '8d4f1b6c2e97'
branch_labels = None
depends_on = None

KINDS = ('commission', 'shipping', 'cool', 'postage', 'onestop')
WIDER = (*KINDS, 'portal_fee', 'payment_fee')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _alter(values, key_from, key_to):
    with op.batch_alter_table('furusato_settlement_rates', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_furusato_settlement_rates_kind'), type_='check')
        batch_op.alter_column('key', existing_type=sa.String(length=key_from), type_=sa.String(length=key_to),
                              existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_furusato_settlement_rates_kind'), _in('kind', values))


def upgrade():
    _alter(WIDER, 10, 20)


def downgrade():
    rates = sa.table('furusato_settlement_rates', sa.column('kind', sa.String))
    op.execute(rates.delete().where(rates.c.kind.in_(('portal_fee', 'payment_fee'))))
    _alter(KINDS, 20, 10)
