"""Dates, times and numbers written for people, in the current locale."""

from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from flask_babel import get_translations

from .translated import current_babel_locale, current_locale

_ITALIAN = Locale.parse("it")


#: A full date in each language: "martedì 13 dicembre 2022", and in English as British
#: English writes it, day before month and no commas: "Tuesday 13 December 2022".
_LONG_DATE = {"it": "full", "en": "EEEE d MMMM y"}


def long_date(moment: datetime) -> str:
    """E.g. "martedì 13 dicembre 2022", "Tuesday 13 December 2022"."""
    locale = current_locale()
    return format_date(moment, format=_LONG_DATE.get(locale, "full"), locale=locale)


def day_date(moment: date) -> str:
    """A day without its weekday, day first in both languages: "1 dicembre 2026",
    "1 December 2026"."""
    return format_date(moment, format="d MMMM y", locale=current_locale())


def short_time(moment: datetime) -> str:
    """E.g. "17:00"."""
    return format_time(moment, format="HH:mm", locale=current_locale())


def date_time(moment: datetime) -> str:
    """E.g. "martedì 13 dicembre 2022, 17:00"."""
    return f"{long_date(moment)}, {short_time(moment)}"


def compact_date_time(moment: datetime) -> str:
    """A date and time for a crowded table, the same in every language: "01/12/26 17:55"
    (day, month, two-digit year, 24-hour clock). Convert *moment* to its zone first."""
    return moment.strftime("%d/%m/%y %H:%M")


def time_range(start: datetime, end: datetime) -> str:
    """A start–end span in local times: "martedì 13 dicembre 2022, 17:00–18:30"."""
    if start.date() == end.date():
        return f"{long_date(start)}, {short_time(start)}–{short_time(end)}"
    return f"{date_time(start)} – {date_time(end)}"


def event_when(event) -> str:
    """When *event* takes place, in its own time zone."""
    return time_range(event.local_start, event.local_end)


def event_local(event, moment: datetime) -> str:
    """*moment* (aware) written in *event*'s time zone."""
    return date_time(moment.astimezone(event.tz))


def plain_number(value) -> str:
    """A number as a machine reads it back: "1500", "1.5" (no grouping, a decimal point)."""
    return format(Decimal(str(value)).normalize(), "f")


def ngettext(singular: str, plural: str, count: int, /, **variables) -> str:
    """Flask-Babel's ``ngettext``, with the count ``%(num)s`` written as numbers are
    (1.264 in Italian, 1,264 in English) unless given as ``num``."""
    return counted(singular, plural, count, variables)


def counted(singular: str, plural: str, count: int, variables: dict, text=str) -> str:
    """The plural form of *count* in the current language, filled in with *variables* and
    the count as ``num`` (unless given), written as numbers are. *text* makes the
    translation what the variables are put into (a template's Markup escapes them)."""
    words = text(get_translations().ungettext(singular, plural, count))
    return words % {"num": number(count), **variables}


def number(value, *, exact: bool = False) -> str:
    """A number with the locale's separators: 12.500,5 in Italian. Rounded to three
    decimals as the locale's pattern says, unless *exact*: a value someone typed (an
    answer, a limit an organiser set) is written with all its decimals, 12,34567."""
    if isinstance(value, bool) or value is None:
        return ""
    decimal = Decimal(str(value))
    # The locale as an object: given by name, Babel would look it up on every number.
    locale = current_babel_locale() or _ITALIAN
    symbols = _plain_symbols(locale)
    if (
        symbols is None
        or not decimal.is_finite()
        or (not exact and decimal.as_tuple().exponent < -3)
    ):
        return format_decimal(decimal, locale=locale, decimal_quantization=not exact)
    # What Babel writes with the locale's pattern #,##0.### when nothing is to be rounded
    # (a few operations instead of some fifty calls: a page or an email writes many).
    written = format(decimal, ",f")
    if "." in written:
        written = written.rstrip("0").rstrip(".")
    group, point = symbols
    return written.translate({ord(","): group, ord("."): point})


@cache
def _plain_symbols(locale: Locale) -> tuple[str, str] | None:
    """The group and decimal symbols of *locale* if it writes numbers as #,##0.### with a
    plain minus sign, else None (Babel formats those)."""
    pattern = locale.decimal_formats[None]
    if pattern.pattern != "#,##0.###" or locale.number_symbols["latn"]["minusSign"] != "-":
        return None
    return get_group_symbol(locale), get_decimal_symbol(locale)
