"""counter and registry: states and kinds as enums with CHECK constraints

Every state and kind column of the counter and of the registry stand-in keeps to its enum's
values (app/counter/models.py, app/registry/models.py) through a CHECK named ck_<table>_<column>.
A value that only said "none" ('' in held_from, from_state, requester_sex and
third_party_reason_kind) becomes NULL first; any other value the enum does not know stops the
upgrade with the table, column and values named, so a person can look at those rows before
anything is changed. Going down puts the '' back.

Revision ID: 124d2b007843
Revises: 9e6d1a6c8741
Create Date: 2026-12-01 16:16:07.999949

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '124d2b007843'
down_revision = '9e6d1a6c8741'
branch_labels = None
depends_on = None

CASE_STATES = ('received', 'checking', 'input', 'review_requested', 'in_review', 'issue', 'payment', 'done',
               'withdrawn', 'on_hold')
CASE_ACTIONS = ('receive', 'start_check', 'confirm_checks', 'request_review', 'finish_input', 'start_review',
                'approve', 'return', 'issue', 'complete_payment', 'reopen_payment', 'refund', 'cancel_payment',
                'hold', 'resume', 'withdraw', 'subject', 'requester_match', 'card_read', 'input', 'payment_void')
REQUESTER_KINDS = ('self', 'household', 'proxy', 'third_party', 'official', 'postal')
THIRD_PARTY_REASONS = ('rights', 'submission', 'other')
CATEGORIES = ('certificate', 'seal', 'move', 'my_number', 'reburial', 'registry_survey', 'address_numbering',
              'passport', 'vehicle', 'payment', 'nhi', 'medical_subsidy', 'late_elderly', 'national_pension', 'other')
IDENTITY_LEVELS = ('photo_or_two', 'photo', 'seal_card', 'none')
IDENTITY_ALTERNATIVES = ('', 'inquiry_letter')
PROXY_AUTHORITIES = ('power_of_attorney', 'seal_card')
SEXES = ('1', '2', '9')
RESIDENT_STATUSES = ('active', 'moved_out', 'deceased')
PENSION_CATEGORIES = ('', '1', '2', '3')

# table → column → (allowed values, '' becomes NULL)
CHECKS = {
    'counter_procedures': {
        'category': (CATEGORIES, False), 'identity': (IDENTITY_LEVELS, False),
        'identity_alternative': (IDENTITY_ALTERNATIVES, False), 'proxy_authority': (PROXY_AUTHORITIES, False),
    },
    'counter_cases': {
        'state': (CASE_STATES, False), 'held_from': (CASE_STATES, True), 'requester_kind': (REQUESTER_KINDS, False),
        'requester_sex': (SEXES, True), 'third_party_reason_kind': (THIRD_PARTY_REASONS, True),
    },
    'counter_case_events': {
        'action': (CASE_ACTIONS, False), 'from_state': (CASE_STATES, True), 'to_state': (CASE_STATES, False),
    },
    'registry_residents': {
        'sex': (SEXES, False), 'status': (RESIDENT_STATUSES, False), 'pension_category': (PENSION_CATEGORIES, False),
    },
}
LENGTHS = {'held_from': 20, 'from_state': 20, 'requester_sex': 1, 'third_party_reason_kind': 20}


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _refuse_unknown(conn, table, column, values, blank_is_none):
    allowed = (*values, '') if blank_is_none else values
    found = conn.execute(sa.text(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL "
                                 f"AND NOT ({_in(column, allowed)})")).scalars().all()
    if found:
        raise RuntimeError(f"{table}.{column} holds values its enum does not know: {sorted(found)}; "
                           "correct those rows, then upgrade again")


def upgrade():
    conn = op.get_bind()
    for table, columns in CHECKS.items():
        for column, (values, blank_is_none) in columns.items():
            _refuse_unknown(conn, table, column, values, blank_is_none)
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, (_, blank_is_none) in columns.items():
                if blank_is_none:
                    batch_op.alter_column(column, existing_type=sa.String(length=LENGTHS[column]), nullable=True)
        for column, (_, blank_is_none) in columns.items():
            if blank_is_none:
                op.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} = ''")
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, (values, _) in columns.items():
                batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), _in(column, values))


def downgrade():
    for table, columns in reversed(CHECKS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_='check')
        for column, (_, blank_is_none) in columns.items():
            if blank_is_none:
                op.execute(f"UPDATE {table} SET {column} = '' WHERE {column} IS NULL")
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, (_, blank_is_none) in columns.items():
                if blank_is_none:
                    batch_op.alter_column(column, existing_type=sa.String(length=LENGTHS[column]), nullable=False)
