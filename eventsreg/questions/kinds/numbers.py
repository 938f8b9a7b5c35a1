"""Measures and years.

A number is read the way people write it in the page's language ("120.000" in Italian,
"120,000" in English), shown back with its unit, summed on the dashboard. When the same
text means numbers a thousand times apart in the two conventions ("1.500"), the person
is asked which one they meant, in words. A year is a whole number of four digits: never
grouped ("2019", not "2.019") and never summed.
"""

from collections import Counter
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from num2words import num2words

from ... import formatting, validators
from ...events.models import QuestionKind
from .base import (
    AnswerError,
    NeedsReading,
    NumberSummary,
    QuestionType,
    RunningSummary,
    Summary,
    options_summary,
    respondents,
    tally,
)
from .text import validator_message


def as_decimal(value) -> Decimal:
    return Decimal(str(value))


def stored_number(value: Decimal) -> int | float:
    """A Decimal as JSON stores it: an int when whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def in_words(value: Decimal, locale: str) -> str:
    """*value* in words: "millecinquecento", "uno virgola cinque", "one point five"."""
    language = "en" if locale == "en" else "it"
    if value == value.to_integral_value():
        return num2words(int(value), lang=language)
    # num2words reads Italian decimals wrongly ("1.5" → "uno"): whole part and decimals apart.
    whole, _sep, decimals = format(value.normalize(), "f").partition(".")
    point = "point" if language == "en" else "virgola"
    return (
        f"{num2words(int(whole), lang=language)} {point} {num2words(int(decimals), lang=language)}"
    )


class Number(QuestionType):
    kind = QuestionKind.number
    label = _l("Numero")
    settings = ("unit", "min", "max", "integer")
    compared_across_contacts = True
    numeric = True

    def field_options(self, question):
        return {"render_kw": {"inputmode": "decimal"}}

    def unit(self, question) -> str:
        return (question.settings or {}).get("unit") or ""

    def parse(self, question, raw, locale):
        if not isinstance(raw, str):
            raise AnswerError(_("Valore non valido."))
        try:
            reading = validators.parse_number(raw, locale, unit=self.unit(question) or None)
        except validators.InvalidValue as error:
            raise AnswerError(validator_message(error)) from None
        # The page language's reading comes first: when it is out of bounds, that is what
        # the person is told, rather than silently taking the other convention's number.
        if problem := self.problem(question, reading.value):
            raise AnswerError(problem)
        if reading.other is not None and not self.problem(question, reading.other):
            values = [reading.value, reading.other]

            def explain():
                readings = [(r, self.words(question, r, locale)) for r in values]
                message = _(
                    "È stato scritto %(text)s: si intende %(first)s oppure %(second)s? "
                    "Scegliere qui sotto, o riscrivere il numero.",
                    text=raw.strip(),
                    first=readings[0][1],
                    second=readings[1][1],
                )
                return message, readings

            raise NeedsReading(values, explain)
        return stored_number(reading.value)

    def words(self, question, value: Decimal, locale: str) -> str:
        """A reading offered to choose from: "millecinquecento (1.500 kWh)"."""
        return f"{in_words(value, locale)} ({self.display(question, value)})"

    def problem(self, question, value: Decimal) -> str | None:
        """Why *value* is not an acceptable answer, or None."""
        settings = question.settings or {}
        if settings.get("integer") and value != value.to_integral_value():
            return _("Inserire un numero intero, senza decimali.")
        unit = self.unit(question)
        lo, hi = settings.get("min"), settings.get("max")
        if lo is not None and value < as_decimal(lo):
            return _(
                "Il valore minimo è %(min)s %(unit)s.",
                min=formatting.number(lo, exact=True),
                unit=unit,
            ).strip()
        if hi is not None and value > as_decimal(hi):
            return _(
                "Il valore massimo è %(max)s %(unit)s.",
                max=formatting.number(hi, exact=True),
                unit=unit,
            ).strip()
        return None

    def form_value(self, question, value, locale):
        return formatting.number(value, exact=True)

    def display(self, question, value):
        return f"{formatting.number(value, exact=True)} {self.unit(question)}".strip()

    def header(self, question, locale=None):
        label = question.text("label", locale)
        unit = self.unit(question)
        return f"{label} ({unit})" if unit and unit.casefold() not in label.casefold() else label

    def cell(self, question, words):
        return lambda value: value if isinstance(value, int | float) else str(value)

    def data(self, question, value):
        return {"value": value, "unit": self.unit(question), "text": self.display(question, value)}

    def running_summary(self, question):
        return RunningNumbers(self.unit(question))

    def comparable(self, value):
        # 120000 and 120000.0 are the same number.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return as_decimal(value).normalize()
        return value

    def check_settings(self, choices, settings):
        lo, hi = settings.get("min"), settings.get("max")
        if lo is not None and hi is not None and lo > hi:
            return {"max": _("Il massimo deve essere maggiore o uguale al minimo.")}
        return {}

    def details(self, question):
        settings = question.settings or {}
        parts = []
        if settings.get("unit"):
            parts.append(settings["unit"])
        if settings.get("min") is not None:
            parts.append(_("min.") + " " + formatting.number(settings["min"], exact=True))
        if settings.get("max") is not None:
            parts.append(_("max.") + " " + formatting.number(settings["max"], exact=True))
        if settings.get("integer"):
            parts.append(_("solo interi"))
        return ", ".join(parts)

    def example(self, question, rng):
        settings = question.settings or {}
        low = settings.get("min", 0)
        high = min(settings.get("max", 10_000), max(low, 0) + 500_000)
        if settings.get("integer"):
            return rng.randint(int(low), int(high))
        return round(rng.uniform(low, high), 1)


class Year(QuestionType):
    kind = QuestionKind.year
    label = _l("Anno")
    settings = ("min", "max")
    compared_across_contacts = True
    few_values = True
    #: When the organiser sets no limits.
    EARLIEST, LATEST = 1900, 2100

    def field_options(self, question):
        return {"render_kw": {"inputmode": "numeric", "maxlength": 4, "size": 6}}

    def bounds(self, question) -> tuple[int, int]:
        settings = question.settings or {}
        return int(settings.get("min") or self.EARLIEST), int(settings.get("max") or self.LATEST)

    def parse(self, question, raw, locale):
        if not isinstance(raw, str):
            raise AnswerError(_("Valore non valido."))
        text = raw.strip()
        lo, hi = self.bounds(question)
        if not (len(text) == 4 and text.isascii() and text.isdigit()):
            raise AnswerError(_("Inserire l'anno con quattro cifre, ad esempio 2019."))
        year = int(text)
        if not lo <= year <= hi:
            raise AnswerError(_("Inserire un anno dal %(min)d al %(max)d.", min=lo, max=hi))
        return year

    def form_value(self, question, value, locale):
        return str(value)

    def display(self, question, value):
        return str(value)

    def cell(self, question, words):
        return lambda value: value if isinstance(value, int) else str(value)

    def summarise(self, question, counted):
        years = tally((value, number) for value, number in counted if isinstance(value, int))
        return options_summary(
            [(year, str(year)) for year in sorted(years)], years, respondents(counted)
        )

    def check_settings(self, choices, settings):
        lo, hi = settings.get("min"), settings.get("max")
        for name, value in (("min", lo), ("max", hi)):
            if value is not None and (value != int(value) or not 1000 <= value <= 9999):
                return {name: _("Inserire un anno di quattro cifre.")}
        if lo is not None and hi is not None and lo > hi:
            return {"max": _("Il massimo deve essere maggiore o uguale al minimo.")}
        return {}

    def details(self, question):
        lo, hi = self.bounds(question)
        return _("dal %(min)d al %(max)d", min=lo, max=hi)

    def example(self, question, rng):
        lo, hi = self.bounds(question)
        return rng.randint(max(lo, 2005), min(hi, 2025))


class RunningNumbers(RunningSummary):
    """Total, average, smallest and largest of the amounts given, exactly (Decimals)."""

    def __init__(self, unit: str):
        self.unit = unit
        self.total = Decimal(0)
        self.count = 0
        self.counts: Counter = Counter()
        #: The smallest and largest, or None when one of them went and must be looked for.
        self.extremes: tuple[Decimal, Decimal] | None = None

    def add(self, value, number: int) -> None:
        # Whole numbers (most answers) exactly and without going through text.
        amount = Decimal(value) if type(value) is int else as_decimal(value)
        self.total += amount * number
        self.count += number
        left = self.counts[amount] = self.counts[amount] + number
        if not left:
            del self.counts[amount]
        if self.extremes is not None:
            low, high = self.extremes
            if number > 0:
                self.extremes = (min(low, amount), max(high, amount))
            elif not left and amount in (low, high):
                self.extremes = None

    def summary(self) -> Summary:
        if not self.count:
            return Summary()
        if self.extremes is None:
            self.extremes = (min(self.counts), max(self.counts))
        return Summary(
            numbers=NumberSummary(
                total=self.total,
                average=round(self.total / self.count, 2),
                minimum=self.extremes[0],
                maximum=self.extremes[1],
                count=self.count,
                unit=self.unit,
            )
        )
