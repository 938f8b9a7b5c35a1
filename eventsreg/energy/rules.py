"""The rules of Italian renewable energy communities (CER) the panel applies.

Each rule, with its public sources and the date they were checked, is written in
docs/energy-community-rules.md; the numbers here are the ones found there.
"""

import enum
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

#: When the rules below were last checked against their sources.
RULES_CHECKED = date(2026, 12, 1)

#: ATECO codes of a prevalent activity of producing or selling electricity, by edition of
#: the classification: such a company cannot be a member (rule 2). ATECO 2025 (NACE Rev. 2.1)
#: applies from 1 January 2025 and is on company records from 1 April 2025.
EXCLUDED_ATECO = {
    "2025": ("35.11.00", "35.12.00", "35.15.00"),
    "2007": ("35.11.00", "35.14.00"),
}
#: Without an answer to the edition question, a code is read as ATECO 2025.
DEFAULT_ATECO_EDITION = "2025"

#: Plants in service before this day get no premium tariff and count for at most 30 % of
#: the community's power (rule 8).
PREMIUM_FROM = date(2021, 12, 16)
OLD_PLANTS_MAX_SHARE = 0.30
#: Largest plant eligible for the premium tariff, in kW.
MAX_PLANT_KW = 1000


class Standing(enum.Enum):
    """What a company (or another registrant) can be in a CER."""

    member = "member"
    #: May take part only as a producer whose plant serves the community (produttore terzo).
    producer_only = "producer_only"
    excluded = "excluded"
    #: The answers do not say enough to decide.
    unknown = "unknown"


STANDING_LABELS = {
    Standing.member: _l("Può essere membro"),
    Standing.producer_only: _l("Solo come produttore terzo"),
    Standing.excluded: _l("Non può partecipare"),
    Standing.unknown: _l("Da verificare"),
}


class Size(enum.Enum):
    sme = "sme"
    large = "large"
    unknown = "unknown"


#: Answer values of the size questions (the questionnaire's), by band.
STAFF_UNDER_250 = ("lt10", "10_49", "50_249")
TURNOVER_WITHIN_50M = ("le2", "le10", "le50")
BALANCE_WITHIN_43M = ("le2", "le10", "le43")


def company_size(staff: str | None, turnover: str | None, balance: str | None) -> Size:
    """The EU test (Recommendation 2003/361/EC, rule 3): an SME has fewer than 250 staff and
    a turnover of at most €50 M or a balance-sheet total of at most €43 M (a group's figures
    counted together)."""
    if staff is None:
        return Size.unknown
    if staff not in STAFF_UNDER_250:
        return Size.large
    if turnover in TURNOVER_WITHIN_50M or balance in BALANCE_WITHIN_43M:
        return Size.sme
    if turnover is not None and balance is not None:
        return Size.large  # both financial ceilings exceeded
    return Size.unknown  # one ceiling exceeded, the other not given: it decides


def sells_or_produces_electricity(ateco: str | None, edition: str | None) -> bool:
    """Whether a prevalent ATECO code is electricity production or trade (rule 2)."""
    if not ateco:
        return False
    return ateco in EXCLUDED_ATECO.get(edition or DEFAULT_ATECO_EDITION, ())


@dataclass(frozen=True)
class Facts:
    """What a registrant's answers say about it, for the eligibility rules."""

    member_kind: str | None
    staff: str | None = None
    turnover: str | None = None
    balance: str | None = None
    ateco: str | None = None
    ateco_edition: str | None = None
    #: Has or plans a plant (producer, prosumer, or kWp given).
    produces: bool = False


def standing(facts: Facts) -> tuple[Standing, list[str]]:
    """What the registrant can be in a CER (rule 1), and why, in words."""
    if facts.member_kind in ("person", "public_body", "association"):
        return Standing.member, [str(_MEMBER_REASONS[facts.member_kind])]
    if facts.member_kind != "company":
        return Standing.unknown, [str(_l("Non ha indicato come partecipa."))]
    reasons, barred = [], False
    size = company_size(facts.staff, facts.turnover, facts.balance)
    if size is Size.large:
        barred = True
        reasons.append(
            str(
                _l(
                    "Grande impresa: 250 addetti o più, oppure fatturato oltre 50 milioni e "
                    "bilancio oltre 43 milioni di euro (Raccomandazione 2003/361/CE)."
                )
            )
        )
    if sells_or_produces_electricity(facts.ateco, facts.ateco_edition):
        barred = True
        edition = facts.ateco_edition or DEFAULT_ATECO_EDITION
        reasons.append(
            str(
                _l(
                    "Attività prevalente di produzione o vendita di energia elettrica "
                    "(ATECO %(edition)s %(code)s).",
                    edition=edition,
                    code=facts.ateco,
                )
            )
        )
    if barred:
        if facts.produces:
            reasons.append(
                str(
                    _l(
                        "Può partecipare solo con un impianto al servizio della comunità, "
                        "come produttore terzo, senza esserne membro."
                    )
                )
            )
            return Standing.producer_only, reasons
        reasons.append(str(_l("Non può essere membro o socio della comunità, in nessun ruolo.")))
        return Standing.excluded, reasons
    if size is Size.unknown:
        return Standing.unknown, [
            str(
                _l(
                    "Dati insufficienti per dire se è una PMI: servono gli addetti e il "
                    "fatturato o il bilancio."
                )
            )
        ]
    return Standing.member, [str(_l("PMI con un'attività prevalente diversa dall'energia."))]


_MEMBER_REASONS = {
    "person": _l("Persona fisica."),
    "public_body": _l("Ente pubblico territoriale o locale."),
    "association": _l("Associazione o ente del terzo settore."),
}


# -- the premium tariff (rule 5) ------------------------------------------------------------


class Zone(enum.Enum):
    """Geographic correction for photovoltaic plants."""

    north = "north"
    centre = "centre"
    south = "south"


ZONE_LABELS = {
    Zone.north: _l("Nord (+10 €/MWh)"),
    Zone.centre: _l("Centro (+4 €/MWh)"),
    Zone.south: _l("Sud e isole"),
}
PV_ZONE_BONUS = {Zone.north: 10.0, Zone.centre: 4.0, Zone.south: 0.0}

#: (largest power in kW, fixed part, cap) of each size class, in €/MWh.
TARIFF_CLASSES = ((200, 80.0, 120.0), (600, 70.0, 110.0), (MAX_PLANT_KW, 60.0, 100.0))
#: The zonal price above which the variable part is nil.
VARIABLE_PART_UNTIL = 180.0


def premium_tariff(plant_kw: float, zonal_price: float, zone: Zone) -> float:
    """€/MWh of shared energy for a photovoltaic plant of *plant_kw*: the fixed part of its
    size class plus max(0; 180 − Pz), capped, then the zone's correction on top."""
    for largest, fixed, cap in TARIFF_CLASSES:
        if plant_kw <= largest:
            return (
                min(fixed + max(0.0, VARIABLE_PART_UNTIL - zonal_price), cap) + PV_ZONE_BONUS[zone]
            )
    return 0.0  # over 1 MW: not incentivised


#: Share of the energy fed in above which the premium on shared energy may not go to
#: companies (rule 6): 55 %, or 45 % for plants with a PNRR capital grant.
BUSINESS_SHARE = 0.55
BUSINESS_SHARE_WITH_GRANT = 0.45
