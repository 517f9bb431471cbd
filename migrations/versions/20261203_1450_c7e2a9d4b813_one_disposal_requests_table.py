"""disposal: one disposal_requests table for both programmes' 廃棄・消去 (004 特記事項 §12)

Revision ID: c7e2a9d4b813
Revises: c4e1a7d93b52
Create Date: 2026-12-03 14:40:00

furusato_disposals (the donation office's records past their retention period) and
staff_erasure_requests (a programme's personal data at the contract's end) were one idea in two
tables; their rows move into disposal_requests and both are dropped.

- furusato_disposals rows keep their ids (the audit rows "furusato_disposal" #id and the pages
  /furusato/retention/disposals/<id> name them), programme 'furusato', quantity "n件".
- staff_erasure_requests rows follow them (id + the largest furusato id), kind 'contract_end',
  media → medium, erased_rows → disposed_records, and keep their old id in erasure_id: the audit
  log is append-only, so its "staff_erasure" #id rows are found again through it.
- Their tasks become the one 'disposal' kind with subject 'disposal' (ids, parameters and the
  result's link follow the moved rows).

Going down reverses it: contract-end rows go back to staff_erasure_requests under erasure_id
(or their id, for rows made since), the others to furusato_disposals.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7e2a9d4b813'
down_revision = 'c4e1a7d93b52'
branch_labels = None
depends_on = None

STATES = "state IN ('requested', 'approved', 'rejected', 'running', 'done')"
COMMON = ('items', 'method', 'planned_on', 'state', 'requested_by_id', 'requested_at', 'decided_by_id',
          'decided_at', 'decision_note', 'executed_by_id', 'task_id', 'finished_at')
TASKS = sa.table('tasks', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                 sa.column('subject_type', sa.String), sa.column('subject_id', sa.Integer),
                 sa.column('params', sa.JSON), sa.column('result', sa.JSON))
OLD_TASKS = {'furusato': ('furusato.disposal', 'furusato_disposal', '/furusato/retention/disposals/{}'),
             'contract_end': ('staff.erasure', 'staff_erasure', '/staff/erasures/{}')}


def _users_and_task(table):
    return [sa.ForeignKeyConstraint([c], ['users.id'], name=op.f(f'fk_{table}_{c}_users'))
            for c in ('decided_by_id', 'executed_by_id', 'requested_by_id')] + [
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f(f'fk_{table}_task_id_tasks')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))]


def _common_columns():
    return [sa.Column('id', sa.Integer(), nullable=False), sa.Column('items', sa.Text(), nullable=False),
            sa.Column('method', sa.Text(), nullable=False), sa.Column('planned_on', sa.Date(), nullable=False),
            sa.Column('state', sa.String(length=12), nullable=False),
            sa.Column('requested_by_id', sa.Integer(), nullable=False),
            sa.Column('requested_at', sa.DateTime(), nullable=False),
            sa.Column('decided_by_id', sa.Integer(), nullable=True),
            sa.Column('decided_at', sa.DateTime(), nullable=True),
            sa.Column('decision_note', sa.Text(), nullable=False),
            sa.Column('executed_by_id', sa.Integer(), nullable=True),
            sa.Column('task_id', sa.Integer(), nullable=True),
            sa.Column('finished_at', sa.DateTime(), nullable=True)]


def _create_disposal_requests():
    op.create_table(
        'disposal_requests', *_common_columns(),
        sa.Column('programme', sa.String(length=20), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('before', sa.Date(), nullable=True),
        sa.Column('medium', sa.String(length=200), nullable=False),
        sa.Column('quantity', sa.String(length=200), nullable=False),
        sa.Column('count', sa.Integer(), nullable=True),
        sa.Column('disposed_records', sa.Integer(), nullable=True),
        sa.Column('deleted_files', sa.Integer(), nullable=True),
        sa.Column('erasure_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_disposal_requests_programme')),
        sa.CheckConstraint("kind IN ('contract_end', 'donation', 'inquiry', 'onestop')",
                           name=op.f('ck_disposal_requests_kind')),
        sa.CheckConstraint(STATES, name=op.f('ck_disposal_requests_state')),
        *_users_and_task('disposal_requests'))
    with op.batch_alter_table('disposal_requests', schema=None) as batch_op:
        batch_op.create_index('ix_disposal_requests_programme_state', ['programme', 'state'], unique=False)


def _create_old_tables():
    op.create_table(
        'furusato_disposals', *_common_columns(),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('before', sa.Date(), nullable=False),
        sa.Column('medium', sa.String(length=200), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('disposed_records', sa.Integer(), nullable=True),
        sa.Column('deleted_files', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('donation', 'inquiry', 'onestop')", name=op.f('ck_furusato_disposals_kind')),
        sa.CheckConstraint(STATES, name=op.f('ck_furusato_disposals_state')),
        *_users_and_task('furusato_disposals'))
    with op.batch_alter_table('furusato_disposals', schema=None) as batch_op:
        batch_op.create_index('ix_furusato_disposals_state', ['state'], unique=False)
    op.create_table(
        'staff_erasure_requests', *_common_columns(),
        sa.Column('programme', sa.String(length=20), nullable=False),
        sa.Column('media', sa.String(length=200), nullable=False),
        sa.Column('quantity', sa.String(length=200), nullable=False),
        sa.Column('erased_rows', sa.Integer(), nullable=True),
        sa.CheckConstraint("programme IN ('counter', 'furusato')", name=op.f('ck_staff_erasure_requests_programme')),
        sa.CheckConstraint(STATES, name=op.f('ck_staff_erasure_requests_state')),
        *_users_and_task('staff_erasure_requests'))
    with op.batch_alter_table('staff_erasure_requests', schema=None) as batch_op:
        batch_op.create_index('ix_staff_erasure_requests_programme', ['programme'], unique=False)


def _drop(table, index):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_index(index)
    op.drop_table(table)


def _restart_ids(*tables):
    """PostgreSQL: the id sequences go on after the ids the rows were inserted with."""
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in tables:
        op.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")


def _move_tasks(moves):
    """moves: {(old kind, old subject): {old id: (new kind, new subject, new id, old link, new link)}}."""
    bind = op.get_bind()
    for (kind, subject), ids in moves.items():
        rows = bind.execute(sa.select(TASKS.c.id, TASKS.c.subject_id, TASKS.c.params, TASKS.c.result)
                            .where(TASKS.c.kind == kind, TASKS.c.subject_type == subject)).all()
        for task_id, subject_id, params, result in rows:
            if subject_id not in ids:
                continue
            new_kind, new_subject, new_id, old_link, new_link = ids[subject_id]
            params = {**(params or {}), 'request_id': new_id}
            result = dict(result or {})
            if result.get('link') == old_link:
                result['link'] = new_link
            bind.execute(TASKS.update().where(TASKS.c.id == task_id).values(
                kind=new_kind, subject_type=new_subject, subject_id=new_id, params=params, result=result))


def upgrade():
    _create_disposal_requests()
    bind = op.get_bind()
    common = ', '.join(COMMON)
    offset = bind.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM furusato_disposals")).scalar()
    bind.execute(sa.text(
        f"INSERT INTO disposal_requests (id, programme, kind, before, medium, quantity, count, disposed_records, "
        f"deleted_files, {common}) SELECT id, 'furusato', kind, before, medium, '', count, disposed_records, "
        f"deleted_files, {common} FROM furusato_disposals"))
    for row_id, count in bind.execute(sa.text("SELECT id, count FROM disposal_requests")).all():
        bind.execute(sa.text("UPDATE disposal_requests SET quantity = :q WHERE id = :id"),
                     {'q': f"{count:,}件", 'id': row_id})
    bind.execute(sa.text(
        f"INSERT INTO disposal_requests (id, programme, kind, before, medium, quantity, count, disposed_records, "
        f"deleted_files, erasure_id, {common}) SELECT id + :offset, programme, 'contract_end', NULL, media, "
        f"quantity, NULL, erased_rows, NULL, id, {common} FROM staff_erasure_requests"), {'offset': offset})
    furusato = {i: ('disposal', 'disposal', i, OLD_TASKS['furusato'][2].format(i), f'/furusato/retention/disposals/{i}')
                for (i,) in bind.execute(sa.text("SELECT id FROM furusato_disposals")).all()}
    erasures = {i: ('disposal', 'disposal', i + offset, OLD_TASKS['contract_end'][2].format(i),
                    f'/staff/erasures/{i + offset}')
                for (i,) in bind.execute(sa.text("SELECT id FROM staff_erasure_requests")).all()}
    _move_tasks({OLD_TASKS['furusato'][:2]: furusato, OLD_TASKS['contract_end'][:2]: erasures})
    _drop('furusato_disposals', 'ix_furusato_disposals_state')
    _drop('staff_erasure_requests', 'ix_staff_erasure_requests_programme')
    _restart_ids('disposal_requests')


def downgrade():
    _create_old_tables()
    bind = op.get_bind()
    common = ', '.join(COMMON)
    bind.execute(sa.text(
        f"INSERT INTO furusato_disposals (id, kind, before, medium, count, disposed_records, deleted_files, {common}) "
        f"SELECT id, kind, before, medium, COALESCE(count, 0), disposed_records, deleted_files, {common} "
        f"FROM disposal_requests WHERE kind <> 'contract_end'"))
    bind.execute(sa.text(
        f"INSERT INTO staff_erasure_requests (id, programme, media, quantity, erased_rows, {common}) "
        f"SELECT COALESCE(erasure_id, id), programme, medium, quantity, disposed_records, {common} "
        f"FROM disposal_requests WHERE kind = 'contract_end'"))
    moves = {}
    for row_id, kind, erasure_id in bind.execute(sa.text("SELECT id, kind, erasure_id FROM disposal_requests")).all():
        old = OLD_TASKS['contract_end' if kind == 'contract_end' else 'furusato']
        back = erasure_id if kind == 'contract_end' and erasure_id is not None else row_id
        link = '/staff/erasures/{}' if kind == 'contract_end' else '/furusato/retention/disposals/{}'
        moves[row_id] = (old[0], old[1], back, link.format(row_id), old[2].format(back))
    _move_tasks({('disposal', 'disposal'): moves})
    _drop('disposal_requests', 'ix_disposal_requests_programme_state')
    _restart_ids('furusato_disposals', 'staff_erasure_requests')
