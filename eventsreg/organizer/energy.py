"""The energy-community panel of the dashboard: the picture a renewable energy community
needs from the companies interested in joining it.

Shown when the event asks the energy-community questions: found by what they mean
(``Question.meaning``), whatever their words or codes.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from ..events.models import Meaning, Question
from ..questions.kinds import as_decimal
from .rows import RegistrationRow

#: The meanings of the energy-community questions; all of them must be asked for the
#: panel to be shown.
CER_MEANINGS = frozenset(
    {
        Meaning.interest,
        Meaning.area,
        Meaning.community_role,
        Meaning.annual_consumption_kwh,
        Meaning.roof_area_m2,
        Meaning.existing_pv_kwp,
        Meaning.planned_pv_kwp,
        Meaning.pod_codes,
        Meaning.primary_substation,
        Meaning.company_size,
        Meaning.ateco_code,
    }
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


def _cross_table(by_meaning: dict[Meaning, Question], interested: list[RegistrationRow]):
    area, role = by_meaning[Meaning.area], by_meaning[Meaning.community_role]
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


def _not_eligible(
    by_meaning: dict[Meaning, Question], rows: list[RegistrationRow]
) -> list[NotEligible]:
    size_id = by_meaning[Meaning.company_size].id
    ateco_id = by_meaning[Meaning.ateco_code].id
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
    by_meaning = {q.meaning: q for q in questions if q.meaning is not None}
    if not CER_MEANINGS <= by_meaning.keys():
        return None
    interest_id = by_meaning[Meaning.interest].id
    interested = [row for row in latest if row.answers.get(interest_id) in INTERESTED]
    role_labels, rows, column_totals = _cross_table(by_meaning, interested)
    pods = by_meaning[Meaning.pod_codes].id
    substation = by_meaning[Meaning.primary_substation].id
    return EnergyCommunity(
        interested=len(interested),
        role_labels=role_labels,
        rows=rows,
        column_totals=column_totals,
        annual_mwh=round(_total(latest, by_meaning[Meaning.annual_consumption_kwh]) / 1000, 1),
        roof_m2=_total(latest, by_meaning[Meaning.roof_area_m2]),
        pv_existing_kwp=_total(latest, by_meaning[Meaning.existing_pv_kwp]),
        pv_planned_kwp=_total(latest, by_meaning[Meaning.planned_pv_kwp]),
        pod_count=sum(len(row.answers.get(pods) or []) for row in latest),
        substations=sorted(
            {row.answers[substation] for row in latest if substation in row.answers}
        ),
        not_eligible=_not_eligible(by_meaning, active),
    )
