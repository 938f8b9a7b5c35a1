"""registrant's calendar state on the registration; erasure and accessibility email kinds

Revision ID: ba05096594ef
Revises: c56e6ef61f64
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ba05096594ef'
down_revision = 'c56e6ef61f64'
branch_labels = None
depends_on = None

EMAIL_KINDS = (
    'confirmation', 'change', 'withdrawal', 'promotion', 'approved', 'rejected',
    'event_update', 'event_cancelled', 'link', 'reminder', 'message',
    'erasure', 'accessibility_report',
)
OLD_EMAIL_KINDS = EMAIL_KINDS[:-2]


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ical_method', sa.String(length=10), nullable=True))
    # The METHOD of the last calendar message each registrant was sent, which the outbox
    # held until now: a later invitation must keep outranking an earlier cancellation.
    op.execute(
        "UPDATE registrations SET ical_method = ("
        " SELECT o.ics_method FROM outbox_emails o"
        " WHERE o.registration_id = registrations.id AND o.ics_method IS NOT NULL"
        " ORDER BY o.id DESC LIMIT 1)"
    )
    _replace_check('outbox_emails', 'emailkind', 'kind', EMAIL_KINDS)
    # Both were stored as organiser messages. An accessibility report concerns no event;
    # an erasure's confirmation concerns an event but no registration (it no longer
    # exists). An organiser's message keeps its registration unless that was erased, and
    # erasing deletes the registration's messages with it.
    op.execute(
        "UPDATE outbox_emails SET kind = 'accessibility_report'"
        " WHERE kind = 'message' AND registration_id IS NULL AND event_id IS NULL"
    )
    op.execute(
        "UPDATE outbox_emails SET kind = 'erasure'"
        " WHERE kind = 'message' AND registration_id IS NULL AND event_id IS NOT NULL"
    )


def _replace_check(table, name, column, values):
    values_sql = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), f'{column} IN ({values_sql})')


def downgrade():
    op.execute(
        "UPDATE outbox_emails SET kind = 'message'"
        " WHERE kind IN ('erasure', 'accessibility_report')"
    )
    _replace_check('outbox_emails', 'emailkind', 'kind', OLD_EMAIL_KINDS)
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('ical_method')
