"""The energy-community panel of the dashboard: the picture a renewable energy community
needs from the companies interested in joining it.

Shown when the event asks the energy-community questions (the demo event's codes).
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from ..events.models import Question
from .rows import RegistrationRow, as_decimal

#: The codes of the energy-community questions (the demo event's); all of them must exist
#: for the energy-community panel to be shown.
CER_CODES = frozenset(
    "interest area role annual_kwh roof_area_m2 pv_existing_kwp pv_planned_kwp pods substation "
    "company_size ateco".split()
)
INTERESTED = ("yes", "more_info")
#: ATECO classes of electricity producers and traders, who cannot join as consumers.
EXCLUDED_ATECO = ("35.11", "35.14")


@dataclass
class CrossRow:
    #: None for "not given".
    label: str | None
    cells: list[int]
    total: int


@dataclass
class NotEligible:
    registration: RegistrationRow
    is_large: bool
    ateco: str | None


@dataclass
class EnergyCommunity:
    interested: int
    #: None for "not given".
    role_labels: list[str | None]
    #: Interested companies by area (rows) and role (columns).
    rows: list[CrossRow]
    column_totals: list[int]
    annual_mwh: Decimal
    roof_m2: Decimal
    pv_existing_kwp: Decimal
    pv_planned_kwp: Decimal
    pod_count: int
    substations: list[str]
    not_eligible: list[NotEligible]


def _total(rows: list[RegistrationRow], question: Question) -> Decimal:
    values = (row.answers.get(question.id) for row in rows)
    return sum((as_decimal(v) for v in values if v is not None), Decimal(0))


def _cross_table(by_code: dict[str, Question], interested: list[RegistrationRow]):
    area, role = by_code["area"], by_code["role"]
    areas = [c["value"] for c in area.choices] + [None]
    roles = [c["value"] for c in role.choices] + [None]
    counter = Counter((r.answers.get(area.id), r.answers.get(role.id)) for r in interested)
    rows = []
    for a in areas:
        cells = [counter[(a, r)] for r in roles]
        if a is not None or any(cells):
            rows.append(CrossRow(area.choice_label(a) if a else None, cells, sum(cells)))
    column_totals = [sum(row.cells[i] for row in rows) for i in range(len(roles))]
    role_labels = [role.choice_label(r) if r else None for r in roles]
    return role_labels, rows, column_totals


def _not_eligible(by_code: dict[str, Question], rows: list[RegistrationRow]) -> list[NotEligible]:
    size_id, ateco_id = by_code["company_size"].id, by_code["ateco"].id
    flagged = []
    for row in rows:
        is_large = row.answers.get(size_id) == "large"
        ateco = row.answers.get(ateco_id) or ""
        excluded = ateco if ateco.startswith(EXCLUDED_ATECO) else None
        if is_large or excluded:
            flagged.append(NotEligible(row, is_large, excluded))
    return flagged


def energy_community(
    questions: list[Question], latest: list[RegistrationRow], active: list[RegistrationRow]
) -> EnergyCommunity | None:
    """The energy-community picture, when the event asks the energy-community questions."""
    by_code = {q.code: q for q in questions}
    if not CER_CODES <= by_code.keys():
        return None
    interest_id = by_code["interest"].id
    interested = [row for row in latest if row.answers.get(interest_id) in INTERESTED]
    role_labels, rows, column_totals = _cross_table(by_code, interested)
    pods = by_code["pods"].id
    substation = by_code["substation"].id
    return EnergyCommunity(
        interested=len(interested),
        role_labels=role_labels,
        rows=rows,
        column_totals=column_totals,
        annual_mwh=round(_total(latest, by_code["annual_kwh"]) / 1000, 1),
        roof_m2=_total(latest, by_code["roof_area_m2"]),
        pv_existing_kwp=_total(latest, by_code["pv_existing_kwp"]),
        pv_planned_kwp=_total(latest, by_code["pv_planned_kwp"]),
        pod_count=sum(len(row.answers.get(pods) or []) for row in latest),
        substations=sorted(
            {row.answers[substation] for row in latest if substation in row.answers}
        ),
        not_eligible=_not_eligible(by_code, active),
    )
