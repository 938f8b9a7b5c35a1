"""registrations of an event by the time they last changed; seats counted from an index

Revision ID: 5d2e8b7c41f0
Revises: b0e5abf2fbbf
Create Date: 2026-12-02 05:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d2e8b7c41f0'
down_revision = 'b0e5abf2fbbf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(
            'ix_registrations_event_id_updated_at', ['event_id', 'updated_at'], unique=False
        )
        batch_op.create_index(
            'ix_registrations_seats',
            ['event_id', 'status', 'attendance', 'party_size'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_seats')
        batch_op.drop_index('ix_registrations_event_id_updated_at')
