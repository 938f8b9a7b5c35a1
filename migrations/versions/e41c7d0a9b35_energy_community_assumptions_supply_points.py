"""energy-community assumptions per event, the supply-points kind, new meanings

Revision ID: e41c7d0a9b35
Revises: 82c628f722bd
Create Date: 2026-12-01 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e41c7d0a9b35'
down_revision = '82c628f722bd'
branch_labels = None
depends_on = None

QUESTION_KINDS = (
    'text', 'textarea', 'number', 'choice', 'multichoice', 'yesno', 'checkbox', 'date',
    'year', 'email', 'phone', 'url', 'vat', 'ateco', 'pod', 'substation', 'supply_points',
)
OLD_QUESTION_KINDS = QUESTION_KINDS[:-1]

OLD_MEANINGS = (
    'annual_consumption_kwh', 'roof_area_m2', 'existing_pv_kwp', 'existing_pv_year',
    'planned_pv_kwp', 'pod_codes', 'primary_substation', 'ateco_code', 'company_size',
    'member_kind', 'community_role', 'area', 'interest', 'has_pv',
)
MEANINGS = OLD_MEANINGS + (
    'staff_band', 'turnover_band', 'balance_sheet_band', 'part_of_group', 'ateco_edition',
    'supply_points', 'existing_pv_period', 'existing_pv_substation', 'planned_pv_substation',
    'net_metering', 'asbestos_roof',
)


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('energy_assumptions', sa.JSON(), server_default='{}', nullable=False)
        )
    # Enum CHECK constraints are not seen by autogenerate: replaced by hand.
    _replace_check('questions', 'questionkind', 'kind', QUESTION_KINDS)
    _replace_check('questions', 'meaning', 'meaning', MEANINGS)


def _replace_check(table, name, column, values):
    values_sql = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
        batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), f'{column} IN ({values_sql})')


def downgrade():
    # Questions of the new kind or meanings cannot be described by the old schema.
    op.execute("DELETE FROM answers WHERE question_id IN"
               " (SELECT id FROM questions WHERE kind = 'supply_points')")
    op.execute("DELETE FROM questions WHERE kind = 'supply_points'")
    new = ", ".join(f"'{m}'" for m in MEANINGS if m not in OLD_MEANINGS)
    op.execute(f"UPDATE questions SET meaning = NULL WHERE meaning IN ({new})")
    _replace_check('questions', 'meaning', 'meaning', OLD_MEANINGS)
    _replace_check('questions', 'questionkind', 'kind', OLD_QUESTION_KINDS)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('energy_assumptions')
