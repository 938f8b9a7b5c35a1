"""A first estimate, per primary substation, of what a community would share and earn.

Every figure is a range, from the cautious to the hopeful end of each assumption, and every
assumption is the organiser's to change (saved per event). It is a first picture for a
meeting, not a feasibility study:

- production = planned kWp × yield (kWh per kWp a year);
- energy fed in = production × (1 − the producers' own simultaneous use);
- shared energy ≈ k × min(energy fed in, members' consumption in production hours);
- incentive a year = shared energy × premium tariff + shared energy × ARERA valorisation;
- of the premium, the part on shared energy above 55 % of the energy fed in (45 % with a
  PNRR capital grant) may not go to companies: it goes to other members or social aims.

Only planned (new) plants are counted: existing ones are listed apart, as the rules on them
depend on when they started and on the community's own date (docs/energy-community-rules.md).
"""

from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal

from .picture import EnergyPicture, SubstationGroup
from .rules import BUSINESS_SHARE, BUSINESS_SHARE_WITH_GRANT, Zone, premium_tariff

MWH = Decimal(1000)


@dataclass
class Assumptions:
    """The organiser's assumptions; the defaults are documented in the rules page."""

    #: kWh per kWp a year: Lombardy, PVGIS, about 1,100–1,300.
    yield_low: float = 1100
    yield_high: float = 1300
    #: Share of the production the producers use themselves, at the same time.
    self_use_low: float = 0.10
    self_use_high: float = 0.30
    #: Share of the members' consumption that falls in the hours of production.
    daytime_low: float = 0.40
    daytime_high: float = 0.60
    #: k: how much of the overlap is actually shared, hour by hour.
    sharing_low: float = 0.5
    sharing_high: float = 0.8
    #: Pz, the zonal price of electricity, €/MWh.
    zonal_price: float = 110
    #: ARERA valorisation of shared energy, €/MWh, and its year.
    valorisation: float = 11.2
    valorisation_year: int = 2024
    zone: str = Zone.north.value
    #: Roof area a kWp of panels needs, m².
    m2_per_kwp: float = 6.0
    #: The plants get a PNRR capital grant (the companies' threshold is then 45 %).
    capital_grant: bool = False

    @classmethod
    def from_saved(cls, saved: dict | None) -> "Assumptions":
        """The event's saved assumptions, defaults where none is saved."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (saved or {}).items() if k in known})

    def saved(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal

    @classmethod
    def of(cls, low, high) -> "Range":
        return cls(Decimal(str(low)), Decimal(str(high)))

    def __add__(self, other: "Range") -> "Range":
        return Range(self.low + other.low, self.high + other.high)

    def __sub__(self, other: "Range") -> "Range":
        return Range(self.low - other.low, self.high - other.high)


ZERO = Range(Decimal(0), Decimal(0))


@dataclass
class GroupEstimate:
    group: SubstationGroup
    production: Range
    fed_in: Range
    daytime_consumption: Range
    shared: Range
    #: The premium tariff, €/MWh, weighted by the planned plants' power.
    tariff: Decimal
    premium: Range
    valorisation: Range
    #: Of the premium, the part that may not go to companies.
    restricted: Range
    #: kWp the group's roofs could hold.
    roof_kwp: Decimal

    @property
    def incentive(self) -> Range:
        return self.premium + self.valorisation


def _d(value) -> Decimal:
    return Decimal(str(value))


#: Zones by their value (an Enum lookup by value is slow when done per substation).
_ZONES = {zone.value: zone for zone in Zone}


def weighted_tariff(plants: list[Decimal], assumptions: Assumptions) -> Decimal:
    """The premium tariff of a group's planned plants, weighted by their power (each plant
    produces in proportion to it)."""
    return _weighted_tariff(plants, assumptions.zonal_price, _zone(assumptions))


def _zone(assumptions: Assumptions) -> Zone:
    return _ZONES.get(assumptions.zone) or Zone(assumptions.zone)


def _weighted_tariff(plants: list[Decimal], zonal_price: float, zone: Zone) -> Decimal:
    total = sum(plants, Decimal(0))
    if not total:
        return Decimal(0)
    return (
        sum((kw * _d(premium_tariff(float(kw), zonal_price, zone)) for kw in plants), Decimal(0))
        / total
    )


@dataclass(frozen=True)
class Factors:
    """The assumptions as the arithmetic of every group uses them, as decimals: worked out
    once per estimate, not once per substation (tens of thousands at scale)."""

    yield_low: Decimal
    yield_high: Decimal
    #: What the producers do not use themselves: 1 − self use (cautious: the high use).
    kept_low: Decimal
    kept_high: Decimal
    daytime_low: Decimal
    daytime_high: Decimal
    sharing_low: Decimal
    sharing_high: Decimal
    valorisation: Decimal
    #: The share of the energy fed in above which the premium may not go to companies.
    threshold: Decimal
    m2_per_kwp: Decimal
    zonal_price: float
    zone: Zone

    @classmethod
    def of(cls, a: Assumptions) -> "Factors":
        return cls(
            yield_low=_d(a.yield_low),
            yield_high=_d(a.yield_high),
            kept_low=1 - _d(a.self_use_high),
            kept_high=1 - _d(a.self_use_low),
            daytime_low=_d(a.daytime_low),
            daytime_high=_d(a.daytime_high),
            sharing_low=_d(a.sharing_low),
            sharing_high=_d(a.sharing_high),
            valorisation=_d(a.valorisation),
            threshold=_d(BUSINESS_SHARE_WITH_GRANT if a.capital_grant else BUSINESS_SHARE),
            m2_per_kwp=_d(a.m2_per_kwp),
            zonal_price=a.zonal_price,
            zone=_zone(a),
        )


def estimate_group(
    group: SubstationGroup, assumptions: Assumptions, factors: Factors | None = None
) -> GroupEstimate:
    """The group's estimate, each figure from the cautious end to the hopeful one.

    :param factors: ``Factors.of(assumptions)``, when the caller estimates many groups.
    """
    f = factors or Factors.of(assumptions)
    kwp = group.planned_kwp
    production = Range(kwp * f.yield_low, kwp * f.yield_high)
    fed_in = Range(production.low * f.kept_low, production.high * f.kept_high)
    daytime = Range(group.eligible_kwh * f.daytime_low, group.eligible_kwh * f.daytime_high)
    shared = Range(
        f.sharing_low * min(fed_in.low, daytime.low),
        f.sharing_high * min(fed_in.high, daytime.high),
    )
    tariff = _weighted_tariff(group.planned_plants, f.zonal_price, f.zone)

    def restricted(shared_kwh: Decimal, fed_kwh: Decimal) -> Decimal:
        return max(Decimal(0), shared_kwh - f.threshold * fed_kwh) / MWH * tariff

    return GroupEstimate(
        group=group,
        production=production,
        fed_in=fed_in,
        daytime_consumption=daytime,
        shared=shared,
        tariff=tariff,
        premium=Range(shared.low / MWH * tariff, shared.high / MWH * tariff),
        valorisation=Range(shared.low / MWH * f.valorisation, shared.high / MWH * f.valorisation),
        restricted=Range(restricted(shared.low, fed_in.low), restricted(shared.high, fed_in.high)),
        roof_kwp=group.roof_m2 / f.m2_per_kwp if f.m2_per_kwp else Decimal(0),
    )


#: The figures summed over the known substations.
TOTALLED = ("production", "fed_in", "daytime_consumption", "shared", "incentive", "restricted")


@dataclass
class Estimate:
    groups: list[GroupEstimate]
    _totals: dict[str, Range] = field(default_factory=dict, repr=False, compare=False)

    def total(self, name: str) -> Range:
        """The sum over the known substations: energy is shared, and the incentive computed,
        only within one primary substation."""
        if name not in self._totals:
            known = (getattr(g, name) for g in self.groups if g.group.code)
            self._totals[name] = sum(known, ZERO)
        return self._totals[name]


def estimate(picture: EnergyPicture, assumptions: Assumptions) -> Estimate:
    """An estimate for each primary substation. The group of unknown substation gets one
    too, as a hint only: it is left out of the totals."""
    factors = Factors.of(assumptions)
    return Estimate([estimate_group(group, assumptions, factors) for group in picture.groups])
