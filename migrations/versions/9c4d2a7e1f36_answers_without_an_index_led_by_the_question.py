"""answers without an index led by the question

Each registration's answers went to as many places in that index as it has questions: one
page written per question, about half of what a registration writes. A question's answers
are now found through its event's registrations.

Revision ID: 9c4d2a7e1f36
Revises: 7a3c9e1d5b20
Create Date: 2026-12-03 13:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9c4d2a7e1f36'
down_revision = '7a3c9e1d5b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_question_id')


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index('ix_answers_question_id', ['question_id'], unique=False)
