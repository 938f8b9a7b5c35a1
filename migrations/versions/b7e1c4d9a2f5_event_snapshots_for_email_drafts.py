"""event snapshots for email drafts

An event's columns at one of its versions, stored once; the drafts of the emails queued
at that version refer to them instead of each carrying a copy.

Revision ID: b7e1c4d9a2f5
Revises: 9c4d2a7e1f36
Create Date: 2026-12-03 13:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1c4d9a2f5'
down_revision = '9c4d2a7e1f36'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'event_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.DateTime(), nullable=False),
        sa.Column('columns', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'version'),
    )


def downgrade():
    op.drop_table('event_snapshots')
