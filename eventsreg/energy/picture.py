"""The energy-community picture of an event: each company once, what it can be in the
community and why, its supply points and plants, grouped by primary substation.

Questions are found by what they mean (``Question.meaning``), so any event that asks the
energy-community questionnaire has a picture. A company speaks through its latest active
registration (two contacts of one company count once). Companies that said they are not
interested are left out; only members' consumption counts as eligible.
"""

import functools
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal

from flask_babel import get_locale

from ..events.models import Event, Meaning, Question
from ..questions.kinds import as_decimal
from ..questions.library import INTERESTED
from ..registrations.companies import Company, active_registrations, group_by_company
from .rules import PREMIUM_FROM, Facts, Standing, standing

#: Meanings without which there is no picture to draw.
REQUIRED = frozenset({Meaning.interest, Meaning.member_kind, Meaning.community_role})
PRODUCING_ROLES = ("producer", "prosumer")


@dataclass
class SupplyPoint:
    company: str
    pod: str
    #: None: not known.
    substation: str | None
    kwh: Decimal | None


@dataclass
class Plant:
    company: str
    kwp: Decimal
    substation: str | None
    existing: bool
    #: Existing plants: "before" or "after" 16 December 2021, None when not known.
    period: str | None = None
    net_metering: bool | None = None


@dataclass
class CompanyPicture:
    key: str
    name: str
    #: The registration whose answers speak for the company (its latest).
    registration_id: int
    standing: Standing
    #: What the standing was judged from.
    facts: Facts
    interest: str | None
    role: str | None
    #: Registrations of the company (several contacts).
    contacts: int
    points: list[SupplyPoint] = field(default_factory=list)
    plants: list[Plant] = field(default_factory=list)
    #: Consumption given without supply points (or beyond theirs), in kWh.
    unplaced_kwh: Decimal = Decimal(0)
    roof_m2: Decimal = Decimal(0)
    roof_substation: str | None = None
    asbestos: bool = False

    @property
    def is_member(self) -> bool:
        return self.standing is Standing.member

    @property
    def reasons(self) -> list[str]:
        """Why the company has its standing, in the page's language."""
        return list(_judged(self.facts, str(get_locale()))[1])

    @property
    def consumption(self) -> Decimal:
        return sum((p.kwh or Decimal(0) for p in self.points), Decimal(0)) + self.unplaced_kwh


@dataclass
class SubstationGroup:
    #: None: supply points and plants whose substation nobody gave.
    code: str | None
    #: The companies' names (each counted as often as it brings something to the group).
    companies: Counter = field(default_factory=Counter)
    pods: int = 0
    #: Annual consumption of the members' supply points, kWh.
    eligible_kwh: Decimal = Decimal(0)
    #: Consumption of companies still to be verified, kWh (not in the eligible total).
    unverified_kwh: Decimal = Decimal(0)
    planned_kwp: Decimal = Decimal(0)
    existing_kwp: Decimal = Decimal(0)
    #: Of the existing power, the part in service before 16 December 2021.
    old_kwp: Decimal = Decimal(0)
    roof_m2: Decimal = Decimal(0)
    #: The planned plants, by size (their tariff class depends on it).
    planned_plants: list[Decimal] = field(default_factory=list)
    #: Companies bringing something to the group.
    touches: int = 0


@dataclass
class EnergyPicture:
    companies: list[CompanyPicture]
    not_interested: int
    groups: list[SubstationGroup]

    # Read many times per page once assembled (and never changed): worked out once.

    def by_standing(self, wanted: Standing) -> list[CompanyPicture]:
        return self._by_standing.get(wanted, [])

    @functools.cached_property
    def _by_standing(self) -> dict[Standing, list[CompanyPicture]]:
        found: dict[Standing, list[CompanyPicture]] = {}
        for company in self.companies:
            found.setdefault(company.standing, []).append(company)
        return found

    @functools.cached_property
    def eligible_kwh(self) -> Decimal:
        return sum((g.eligible_kwh for g in self.groups), Decimal(0))

    @functools.cached_property
    def planned_kwp(self) -> Decimal:
        return sum((g.planned_kwp for g in self.groups), Decimal(0))

    @functools.cached_property
    def existing_kwp(self) -> Decimal:
        return sum((g.existing_kwp for g in self.groups), Decimal(0))

    @functools.cached_property
    def old_kwp(self) -> Decimal:
        return sum((g.old_kwp for g in self.groups), Decimal(0))

    @functools.cached_property
    def roof_m2(self) -> Decimal:
        return sum((g.roof_m2 for g in self.groups), Decimal(0))

    @functools.cached_property
    def pods(self) -> int:
        return sum(g.pods for g in self.groups)

    @functools.cached_property
    def existing_plants(self) -> list[tuple[CompanyPicture, Plant]]:
        return [(c, plant) for c in self.companies for plant in c.plants if plant.existing]

    @functools.cached_property
    def asbestos_roofs(self) -> list[CompanyPicture]:
        return [c for c in self.companies if c.asbestos]

    @functools.cached_property
    def known_substations(self) -> int:
        return sum(1 for g in self.groups if g.code is not None)


def questions_by_meaning(event: Event) -> dict[Meaning, Question]:
    return {q.meaning: q for q in event.questions if q.meaning is not None}


def is_energy_event(event: Event) -> bool:
    """Whether *event* asks the energy-community questions."""
    return asks_energy_questions(questions_by_meaning(event))


def asks_energy_questions(by_meaning: dict[Meaning, Question]) -> bool:
    """Whether questions found by meaning make an energy-community questionnaire."""
    return REQUIRED <= by_meaning.keys()


def energy_picture(event: Event, companies: list[Company] | None = None) -> EnergyPicture | None:
    """The picture of *event*, or None when it does not ask the energy-community questions.

    :param companies: the event's active registrations grouped by company, when the caller
        has them already (the dashboard); read otherwise.
    """
    by_meaning = questions_by_meaning(event)
    if not asks_energy_questions(by_meaning):
        return None
    if companies is None:
        companies = group_by_company(active_registrations(event))
    return assembled([company_picture(company, by_meaning) for company in companies])


def company_picture(company: Company, by_meaning: dict[Meaning, Question]) -> CompanyPicture | None:
    """What *company* brings to the community (None: it said it is not interested)."""
    answers = _Answers(company, by_meaning)
    if answers.get(Meaning.interest) not in INTERESTED:
        return None
    return _company_picture(company, answers)


def assembled(
    pictures: list[CompanyPicture | None],
    groups: dict[str | None, "SubstationGroup"] | None = None,
) -> EnergyPicture:
    """The event's picture of its companies' pictures (None for each not interested), and
    of their substation groups when they are kept up to date (see :func:`contribute`)."""
    interested = sorted((p for p in pictures if p is not None), key=picture_order)
    return EnergyPicture(
        interested,
        len(pictures) - len(interested),
        _groups(interested) if groups is None else ordered(groups),
    )


def picture_order(picture: CompanyPicture) -> tuple[str, str]:
    """Companies are shown by name (then key: two of the same name keep one order)."""
    return picture.name.casefold(), picture.key


@functools.lru_cache(maxsize=1024)
def _judged(facts: Facts, locale: str) -> tuple[Standing, tuple[str, ...]]:
    """The standing of *facts* and its reasons in *locale* (few distinct facts repeat over
    thousands of companies)."""
    status, reasons = standing(facts)
    return status, tuple(reasons)


class _Answers:
    """A company's latest answers, looked up by meaning."""

    def __init__(self, company: Company, by_meaning: dict[Meaning, Question]):
        self.answers = company.latest.answers
        self.by_meaning = by_meaning

    def get(self, meaning: Meaning):
        question = self.by_meaning.get(meaning)
        return None if question is None else self.answers.get(question.id)

    def number(self, meaning: Meaning) -> Decimal | None:
        value = self.get(meaning)
        return None if value is None or isinstance(value, bool) else as_decimal(value)


def _company_picture(company: Company, answers: _Answers) -> CompanyPicture:
    latest = company.latest
    role = answers.get(Meaning.community_role)
    planned = answers.number(Meaning.planned_pv_kwp)
    existing = answers.number(Meaning.existing_pv_kwp)
    facts = Facts(
        member_kind=answers.get(Meaning.member_kind),
        staff=answers.get(Meaning.staff_band),
        turnover=answers.get(Meaning.turnover_band),
        balance=answers.get(Meaning.balance_sheet_band),
        ateco=answers.get(Meaning.ateco_code),
        ateco_edition=answers.get(Meaning.ateco_edition),
        produces=role in PRODUCING_ROLES or bool(planned) or bool(existing),
    )
    picture = CompanyPicture(
        key=latest.company_key,
        name=latest.company_name or latest.full_name,
        registration_id=latest.id,
        standing=_judged(facts, str(get_locale()))[0],
        facts=facts,
        interest=answers.get(Meaning.interest),
        role=role,
        contacts=len(company.registrations),
        roof_m2=answers.number(Meaning.roof_area_m2) or Decimal(0),
        asbestos=answers.get(Meaning.asbestos_roof) is True,
    )
    picture.points = _supply_points(picture.name, answers)
    given = sum((p.kwh for p in picture.points if p.kwh is not None), Decimal(0))
    total = answers.number(Meaning.annual_consumption_kwh)
    if total is not None and total > given:
        rest = total - given
        without = [p for p in picture.points if p.kwh is None]
        if without:
            # The company's total, beyond what its supply points say, shared among the
            # supply points without a consumption of their own.
            for point in without:
                point.kwh = rest / len(without)
        else:
            picture.unplaced_kwh = rest
    if planned:
        picture.plants.append(
            Plant(
                picture.name,
                planned,
                answers.get(Meaning.planned_pv_substation) or None,
                existing=False,
            )
        )
    if existing:
        picture.plants.append(
            Plant(
                picture.name,
                existing,
                answers.get(Meaning.existing_pv_substation) or None,
                existing=True,
                period=_period(answers),
                net_metering=answers.get(Meaning.net_metering),
            )
        )
    picture.roof_substation = (
        answers.get(Meaning.planned_pv_substation)
        or next((p.substation for p in picture.points if p.substation), None)
        or None
    )
    return picture


def _supply_points(company: str, answers: _Answers) -> list[SupplyPoint]:
    points = answers.get(Meaning.supply_points)
    if isinstance(points, list):
        return [
            SupplyPoint(
                company,
                point["pod"],
                point.get("substation") or None,
                as_decimal(point["kwh"]) if point.get("kwh") is not None else None,
            )
            for point in points
        ]
    # The first questionnaire: a list of PODs and one substation for the whole company.
    pods = answers.get(Meaning.pod_codes)
    substation = answers.get(Meaning.primary_substation) or None
    return [SupplyPoint(company, pod, substation, None) for pod in pods or []]


def _period(answers: _Answers) -> str | None:
    """Whether an existing plant started before or after 16 December 2021."""
    period = answers.get(Meaning.existing_pv_period)
    if period in ("before", "after"):
        return period
    year = answers.get(Meaning.existing_pv_year)
    if isinstance(year, int) and year != PREMIUM_FROM.year:
        return "before" if year < PREMIUM_FROM.year else "after"
    return None


def _groups(companies: list[CompanyPicture]) -> list[SubstationGroup]:
    groups: dict[str | None, SubstationGroup] = {}
    for company in companies:
        contribute(groups, company, 1)
    return ordered(groups)


def ordered(groups: dict[str | None, SubstationGroup]) -> list[SubstationGroup]:
    """The groups by code, the group of unknown substation last."""
    known = sorted((g for code, g in groups.items() if code is not None), key=lambda g: g.code)
    return known + ([groups[None]] if None in groups else [])


def contribute(
    groups: dict[str | None, SubstationGroup],
    company: CompanyPicture,
    sign: int,
    copied: set | None = None,
) -> set[str | None]:
    """Add to *groups* (*sign* 1), or take away from them (-1), what *company* brings to
    each substation; the codes of the groups touched. A group left with no company is
    dropped. With *copied*, a group is copied before its first change (its code is then
    added to *copied*), so that pictures already assembled keep theirs as they were."""
    touched: set[str | None] = set()

    def group(code: str | None) -> SubstationGroup:
        found = groups.get(code)
        if found is None:
            found = groups[code] = SubstationGroup(code)
        elif copied is not None and code not in copied:
            found = groups[code] = replace(
                found, companies=Counter(found.companies), planned_plants=list(found.planned_plants)
            )
        if copied is not None:
            copied.add(code)
        if code not in touched:
            touched.add(code)
            found.touches += sign
        return found

    def name_in(target: SubstationGroup) -> None:
        target.companies[company.name] += sign
        if not target.companies[company.name]:
            del target.companies[company.name]

    counted = company.is_member or company.standing is Standing.unknown
    for point in company.points:
        target = group(point.substation)
        name_in(target)
        target.pods += sign
        if company.is_member:
            target.eligible_kwh += sign * (point.kwh or 0)
        elif counted:
            target.unverified_kwh += sign * (point.kwh or 0)
    if company.unplaced_kwh:
        target = group(None)
        name_in(target)
        if company.is_member:
            target.eligible_kwh += sign * company.unplaced_kwh
        elif counted:
            target.unverified_kwh += sign * company.unplaced_kwh
    if company.standing is not Standing.excluded:
        # Members' plants, and third-party producers' plants that serve the community.
        for plant in company.plants:
            target = group(plant.substation)
            name_in(target)
            if plant.existing:
                target.existing_kwp += sign * plant.kwp
                if plant.period == "before":
                    target.old_kwp += sign * plant.kwp
            elif sign > 0:
                target.planned_kwp += plant.kwp
                target.planned_plants.append(plant.kwp)
            else:
                target.planned_kwp -= plant.kwp
                target.planned_plants.remove(plant.kwp)
        if company.roof_m2:
            group(company.roof_substation).roof_m2 += sign * company.roof_m2
    for code in touched:
        if not groups[code].touches:
            del groups[code]
    return touched
