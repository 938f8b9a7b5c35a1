"""one index for an event's registrations by status and for its seats

The registrations by status and creation time, and the seats taken, had an index each,
both led by the event and the status; one index with the columns of both serves both
(the seats summed from the index alone), and a registration is written to one place less.

Revision ID: 3f8a6d2c9b14
Revises: b7e1c4d9a2f5
Create Date: 2026-12-03 15:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f8a6d2c9b14'
down_revision = 'b7e1c4d9a2f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(
            'ix_registrations_event_id_status',
            ['event_id', 'status', 'created_at', 'id', 'attendance', 'party_size'],
            unique=False,
        )
        batch_op.drop_index('ix_registrations_seats')
        batch_op.drop_index('ix_registrations_event_id_status_created_at')


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(
            'ix_registrations_event_id_status_created_at',
            ['event_id', 'status', 'created_at'],
            unique=False,
        )
        batch_op.create_index(
            'ix_registrations_seats',
            ['event_id', 'status', 'attendance', 'party_size'],
            unique=False,
        )
        batch_op.drop_index('ix_registrations_event_id_status')
