"""Pure-Python normalisers/validators for the values Italian companies type into our forms."""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.it import codicefiscale, iva


def N_(message: str) -> str:
    """Mark *message* for extraction (pybabel's N_ keyword) and return it untranslated."""
    return message


# Italian user-facing texts, keyed by a stable code: the form layer wraps them in gettext, so
# this module stays free of Flask and the messages can be translated without touching the code.
MESSAGES: dict[str, str] = {
    "vat_format": N_(
        "La Partita IVA deve essere composta da 11 cifre, con o senza il prefisso IT "
        "(es. 12345670199)."
    ),
    "vat_checksum": N_(
        "La partita IVA non è valida: verificare di averla scritta correttamente (es. 12345670199)."
    ),
    "tax_code_format": N_(
        "Il codice fiscale deve avere 16 caratteri (es. RSSMRA85T10A562S) oppure, "
        "per le aziende, 11 cifre (es. 12345670199)."
    ),
    "tax_code_checksum": N_(
        "Il codice fiscale non è valido: verificare di averlo scritto correttamente "
        "(es. RSSMRA85T10A562S)."
    ),
    "pod_format": N_(
        "Il codice POD deve avere il formato IT + 3 cifre + E + 8 cifre, con un eventuale "
        "carattere finale (es. IT001E12345678)."
    ),
    "pod_list_item": N_(
        "Il codice POD «{value}» non è valido: il formato atteso è IT + 3 cifre + E + 8 cifre "
        "(es. IT001E12345678)."
    ),
    "pod_list_too_long": N_("L'elenco dei codici POD è troppo lungo (massimo 20000 caratteri)."),
    "ateco_format": N_("Il codice ATECO deve avere 6 cifre nel formato NN.NN.NN (es. 25.62.00)."),
    "phone_format": N_(
        "Il numero di telefono può contenere solo cifre, spazi e i simboli / - . ( ), "
        "con l'eventuale + iniziale (es. +39 0373 123456)."
    ),
    "phone_length": N_(
        "Il numero di telefono deve avere da 6 a 15 cifre (es. +39 0373 123456 oppure 333 1234567)."
    ),
    "substation_format": N_(
        "Il codice della cabina primaria di solito ha il formato AC + 3 cifre + E + 5 cifre "
        "(es. AC001E00045): verifica che sia corretto."
    ),
    "number_format": N_(
        "Inserire un numero valido, con la virgola per i decimali (es. 12.500,75 oppure 1,5)."
    ),
    "number_format_en": N_(
        "Inserire un numero valido, con il punto per i decimali (es. 12,500.75 oppure 1.5)."
    ),
    "number_digits": N_(
        "Il numero ha troppe cifre: al massimo 15, senza contare gli zeri all'inizio e alla fine."
    ),
    "ateco_unusual": N_(
        "Il codice ATECO di solito ha 6 cifre nel formato NN.NN.NN (es. 25.62.00): "
        "è conservato come è stato scritto, verificare che sia corretto."
    ),
    "pod_unusual": N_(
        "«{value}» non ha il formato di un codice POD (IT + 3 cifre + E + 8 cifre, es. "
        "IT001E12345678): è conservato come è stato scritto, verificare che sia corretto."
    ),
}

# Caps keep regexes and Decimal() cheap on pasted garbage; no real value comes close.
MAX_LENGTH = 100
#: Significant digits a typed number may have: what a floating-point number (the answers'
#: JSON) and a spreadsheet cell keep exactly: 15, Python's sys.float_info.dig; "Microsoft
#: Excel retains 15 significant digits" (Microsoft KB 65903, "Number of significant digits
#: MS Excel retains", read on 2026-12-02). With more, the number someone typed would come
#: back altered: refused, rather than stored otherwise. (MAX_LENGTH keeps the exponent
#: within what a float holds.)
MAX_DIGITS = sys.float_info.dig
MAX_POD_LIST_LENGTH = 20_000
# Bad items are echoed back in the error message, so keep them readable.
_DETAIL_LENGTH = 40

# Copy-paste from PDFs and web pages brings invisible characters and full-width forms (from East
# Asian IMEs); map them away so the value looks exactly as the user sees it.
_TRANSLATION = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_TRANSLATION.update({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})

# Explicit [0-9] everywhere: \d, int() and Decimal() also accept Arabic-Indic and other digits.
_SPACE_RE = re.compile(r"\s+")
_SEPARATORS_RE = re.compile(r"[\s.\-]+")
_VAT_RE = re.compile(r"[0-9]{11}")
_PERSONAL_TAX_CODE_RE = re.compile(r"[A-Z0-9]{16}")
_POD_RE = re.compile(r"IT[0-9]{3}E[0-9]{8}[A-Z0-9]?")
_POD_LIST_SPLIT_RE = re.compile(r"[\n\r,;]+")
_ATECO_RE = re.compile(r"([0-9]{2}) *[.\-]? *([0-9]{2}) *[.\-]? *([0-9]{2})")
_PHONE_RE = re.compile(r"\+?[0-9 /.()\-]*")
_DIGITS_RE = re.compile(r"[0-9]+")
_SUBSTATION_RE = re.compile(r"AC[0-9]{3}E[0-9]{5}")
_NUMBER_RE = re.compile(r"(-?)([0-9][0-9.,' ’]*[0-9]|[0-9]) *(.*)")
_GROUPED_RE = re.compile(r"[1-9][0-9]{0,2}([., '’])[0-9]{3}(?:\1[0-9]{3})*")


class InvalidValue(ValueError):
    """A value the user typed is not acceptable; `code` is a key of MESSAGES."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        # str(exc) is the untranslated Italian text, a sensible fallback for logs and WTForms.
        super().__init__(MESSAGES[code].format(value=detail))
        self.code = code
        self.detail = detail


def _clean(value: str, code: str, max_length: int = MAX_LENGTH) -> str:
    """Strip, drop invisible characters and map full-width forms; reject absurd lengths."""
    if len(value) > max_length:
        raise InvalidValue(code)
    return value.translate(_TRANSLATION).strip()


def _shorten(text: str) -> str:
    """Cut an offending item so it can be quoted in a message."""
    return text if len(text) <= _DETAIL_LENGTH else text[: _DETAIL_LENGTH - 1] + "…"


def normalize_vat_it(value: str) -> str:
    """Return the 11 digits of an Italian Partita IVA, with or without the IT prefix."""
    number = _SEPARATORS_RE.sub("", _clean(value, "vat_format")).upper().removeprefix("IT")
    if not _VAT_RE.fullmatch(number):
        raise InvalidValue("vat_format")
    try:
        return iva.validate(number)
    except ValidationError:
        # The shape is right, so any stdnum complaint (check digit, province) means a typo.
        raise InvalidValue("vat_checksum") from None


def sample_vat_number(rng) -> str:
    """A valid Partita IVA for demo data: seven digits of the company, the office code of
    Cremona (019) and the check digit. *rng* is a ``random.Random``."""
    base = f"{rng.randrange(1, 10_000_000):07d}019"
    return base + luhn.calc_check_digit(base)


def normalize_tax_code_it(value: str) -> str:
    """Return a codice fiscale: 16 upper-case characters (person) or 11 digits (company)."""
    code = _SPACE_RE.sub("", _clean(value, "tax_code_format")).upper()
    if _VAT_RE.fullmatch(code):
        try:
            return iva.validate(code)
        except ValidationError:
            raise InvalidValue("tax_code_checksum") from None
    if not _PERSONAL_TAX_CODE_RE.fullmatch(code):
        raise InvalidValue("tax_code_format")
    try:
        return codicefiscale.validate(code)
    except (InvalidChecksum, InvalidComponent):
        # Well-formed but impossible (check letter or birth date): most likely a typo.
        raise InvalidValue("tax_code_checksum") from None
    except ValidationError:
        raise InvalidValue("tax_code_format") from None


def normalize_pod(value: str) -> str:
    """Return an electricity POD code as ITnnnEnnnnnnnn plus an optional 15th character."""
    pod = _SEPARATORS_RE.sub("", _clean(value, "pod_format")).upper()
    if not _POD_RE.fullmatch(pod):
        raise InvalidValue("pod_format")
    return pod


def _parse_pod_chunk(chunk: str) -> list[str]:
    """Parse one comma/newline separated chunk, which may hold several space-separated PODs."""
    try:
        return [normalize_pod(chunk)]
    except InvalidValue:
        tokens = chunk.split()
        if len(tokens) < 2:
            raise InvalidValue("pod_list_item", _shorten(chunk)) from None
    pods, bad = [], None
    for token in tokens:
        try:
            pods.append(normalize_pod(token))
        except InvalidValue:
            bad = bad or token
    if bad is None:
        return pods
    # No token is a POD by itself: it was most likely one POD typed with spaces, quote it whole.
    raise InvalidValue("pod_list_item", _shorten(bad if pods else chunk))


def parse_pod_list(value: str) -> list[str]:
    """Return the distinct PODs found in a newline/comma/semicolon/space separated list."""
    text = _clean(value, "pod_list_too_long", MAX_POD_LIST_LENGTH)
    pods: list[str] = []
    for chunk in _POD_LIST_SPLIT_RE.split(text):
        if chunk.strip():
            pods.extend(_parse_pod_chunk(chunk.strip()))
    return list(dict.fromkeys(pods))


def read_pod_list(value: str) -> list[str]:
    """The distinct codes of a list typed one a line (or with commas or semicolons).

    A code in the POD shape is normalised (spaces, dots, lower case: "it 001 e 12345678"
    is IT001E12345678), and several PODs on one line separated by spaces are split; any
    other text is kept as typed, trimmed, for the person to see it questioned
    (:func:`pod_looks_valid`).
    """
    codes: list[str] = []
    for chunk in _POD_LIST_SPLIT_RE.split(value.translate(_TRANSLATION)):
        chunk = chunk.strip()
        if not chunk:
            continue
        try:
            codes.extend(_parse_pod_chunk(chunk))
        except InvalidValue:
            codes.append(_SPACE_RE.sub(" ", chunk))
    return list(dict.fromkeys(codes))


def pod_looks_valid(code: str) -> bool:
    """Whether *code* is a POD in its usual shape (as :func:`read_pod_list` normalises)."""
    return bool(_POD_RE.fullmatch(code))


def ateco_looks_valid(code: str) -> bool:
    """Whether *code* is an ATECO code as NN.NN.NN."""
    return bool(re.fullmatch(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}", code))


def read_substation_code(value: str) -> str:
    """A primary-substation code upper-cased without spaces when that gives the usual shape
    (AC001E00045), else the text as typed, trimmed."""
    code = normalize_substation_code(value)
    if _SUBSTATION_RE.fullmatch(code):
        return code
    return _SPACE_RE.sub(" ", value.translate(_TRANSLATION).strip())


def normalize_ateco(value: str) -> str:
    """Return an ATECO code as NN.NN.NN from 6 digits with optional dots, spaces or dashes."""
    match = _ATECO_RE.fullmatch(_SPACE_RE.sub(" ", _clean(value, "ateco_format")))
    if not match:
        raise InvalidValue("ateco_format")
    return ".".join(match.groups())


def normalize_phone(value: str) -> str:
    """Return a phone number as digit groups split by single spaces, keeping a leading +."""
    text = _SPACE_RE.sub(" ", _clean(value, "phone_length"))
    if not _PHONE_RE.fullmatch(text):
        raise InvalidValue("phone_format")
    plus = text.startswith("+")
    groups = _DIGITS_RE.findall(text)
    if not plus and groups and groups[0].startswith("00"):
        # 00 is the international access code in Italy: 0039 333... is +39 333...
        plus, groups[0] = True, groups[0][2:]
    if plus and groups and len(groups[0]) > 2 and groups[0].startswith("39"):
        # Country codes are prefix-free, so +39 glued to the number can be split safely.
        groups[0:1] = ["39", groups[0][2:]]
    groups = [group for group in groups if group]
    if not 6 <= sum(map(len, groups)) <= 15:
        raise InvalidValue("phone_length")
    return ("+" if plus else "") + " ".join(groups)


def normalize_substation_code(value: str) -> str:
    """Return a primary substation code upper-cased without spaces; never raises."""
    return _SPACE_RE.sub("", value.translate(_TRANSLATION)).upper()


def substation_code_warning(value: str) -> str | None:
    """Return the MESSAGES code of a warning for an unusual non-empty code, else None."""
    # Only a warning: GSE codes are not formally specified, so the user may still save the value.
    code = normalize_substation_code(value)
    if not code or _SUBSTATION_RE.fullmatch(code):
        return None
    return "substation_format"


# Spellings Italians use for the same unit.
_UNIT_ALIASES = {"mq": "m2", "metri quadri": "m2", "metri quadrati": "m2"}


def _unit_key(text: str) -> str:
    """Make units comparable whatever the case or the way ² was typed (m² == M2 == mq)."""
    key = unicodedata.normalize("NFKC", text).casefold().strip()
    return _UNIT_ALIASES.get(key, key)


@dataclass(frozen=True)
class NumberReading:
    """A typed number as understood in the page's language, and how the other convention
    would read the same text when that is a different number."""

    value: Decimal
    #: E.g. "1.500": 1500 in Italian, 1.5 in English. None when the text means one number.
    other: Decimal | None = None


#: Which separator each language writes between whole and decimal part.
DECIMAL_SEPARATORS = {"it": ",", "en": "."}
_LONE_SEPARATOR_RE = re.compile(r"([1-9][0-9]{0,2})([.,])([0-9]{3})")


def parse_number(value: str, locale: str = "it", unit: str | None = None) -> NumberReading:
    """The number typed in *value*, read the way people write in *locale* ("it" or "en").

    Unambiguous writings are read the same in both languages: "12.500,75" and "12,500.75",
    "1.200.000" and "1,200,000", "12 500", "1,5" and "1.5" (a separator not followed by
    exactly three digits is the decimal one). A lone separator followed by exactly three
    digits ("1.500", "1,500") is read by the page's language, and the other reading is
    returned too, so that the form can ask which one was meant; three zeros ("120.000",
    "120,000") are always thousands, as nobody writes three zero decimals. A unit typed
    after the number is accepted when it is *unit* ("300 mq" for m²). A number of more than
    MAX_DIGITS significant digits is refused (it would not be kept as typed).
    """
    code = "number_format_en" if locale == "en" else "number_format"
    text = _SPACE_RE.sub(" ", _clean(value, code))
    match = _NUMBER_RE.fullmatch(text)
    if not match:
        raise InvalidValue(code)
    sign, number, tail = match.groups()
    if tail and (unit is None or _unit_key(tail) != _unit_key(unit)):
        raise InvalidValue(code)
    lone = _LONE_SEPARATOR_RE.fullmatch(number)
    if lone and lone.group(3) != "000":
        whole, separator, fraction = lone.groups()
        grouped = Decimal(sign + whole + fraction)
        decimal = Decimal(f"{sign}{whole}.{fraction}")
        if separator == DECIMAL_SEPARATORS.get(locale, ","):
            return NumberReading(_as_kept(decimal), _as_kept(grouped))
        return NumberReading(_as_kept(grouped), _as_kept(decimal))
    dots, commas = number.count("."), number.count(",")
    if dots and commas:
        decimal_sep = "." if number.rfind(".") > number.rfind(",") else ","
    elif lone or dots > 1 or commas > 1:
        decimal_sep = None  # thousands only: "120.000", "1,200,000"
    elif dots or commas:
        decimal_sep = "." if dots else ","
    else:
        decimal_sep = None
    integer, fraction = number.rsplit(decimal_sep, 1) if decimal_sep else (number, "")
    grouped = _GROUPED_RE.fullmatch(integer)
    if grouped:
        if grouped.group(1) == decimal_sep:
            raise InvalidValue(code)
        integer = integer.replace(grouped.group(1), "")
    if not _DIGITS_RE.fullmatch(integer) or not _DIGITS_RE.fullmatch(fraction or "0"):
        raise InvalidValue(code)
    result = Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
    return NumberReading(_as_kept(result))


def _as_kept(number: Decimal) -> Decimal:
    """*number* as it is kept: refused when it has more significant digits than are kept
    exactly (zeros at either end do not count); "-0", a valid Decimal that would surprise
    whoever reads the stored value, as 0."""
    if len(number.normalize().as_tuple().digits) > MAX_DIGITS:
        raise InvalidValue("number_digits")
    return number.copy_abs() if number.is_zero() else number


def parse_decimal_it(value: str, unit: str | None = None) -> Decimal:
    """Return the Decimal for a number typed the Italian way, e.g. "12.500,75" or "1,5".

    Rules: an optional leading minus; thousands may be grouped by ".", " ", "'" or "’" (only one
    kind per number, groups of exactly 3 digits). If both "." and "," appear, the last one is the
    decimal separator. Without a dot, a single "," is the decimal separator. Without a comma, a
    single dot not followed by exactly 3 digits is the decimal point ("1.5"); otherwise dots are
    thousands separators ("12.500", "1.234.567"), and ambiguous input such as "1234.500" or
    "0.500" is rejected. If `unit` is given, the same unit typed after the number is ignored
    (case-insensitive, "300 m2" matches "m²"). NaN, infinities and exponents are rejected,
    and so are numbers of more than MAX_DIGITS significant digits.
    """
    text = _SPACE_RE.sub(" ", _clean(value, "number_format"))
    match = _NUMBER_RE.fullmatch(text)
    if not match:
        raise InvalidValue("number_format")
    sign, number, tail = match.groups()
    if tail and (unit is None or _unit_key(tail) != _unit_key(unit)):
        raise InvalidValue("number_format")
    last_dot, last_comma = number.rfind("."), number.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
    elif last_comma >= 0:
        decimal_sep = ","
    elif number.count(".") == 1 and len(number) - last_dot - 1 != 3:
        decimal_sep = "."
    else:
        decimal_sep = None
    integer, fraction = number.rsplit(decimal_sep, 1) if decimal_sep else (number, "")
    grouped = _GROUPED_RE.fullmatch(integer)
    if grouped:
        if grouped.group(1) == decimal_sep:
            raise InvalidValue("number_format")
        integer = integer.replace(grouped.group(1), "")
    if not _DIGITS_RE.fullmatch(integer) or not _DIGITS_RE.fullmatch(fraction or "0"):
        raise InvalidValue("number_format")
    return _as_kept(Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}"))
