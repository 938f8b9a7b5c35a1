"""Tests for eventsreg.validators."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from eventsreg import validators as v
from eventsreg.validators import (
    MAX_LENGTH,
    MAX_POD_LIST_LENGTH,
    MESSAGES,
    InvalidValue,
    normalize_ateco,
    normalize_phone,
    normalize_pod,
    normalize_substation_code,
    normalize_tax_code_it,
    normalize_vat_it,
    parse_decimal_it,
    parse_pod_list,
    substation_code_warning,
)

ZWSP = "\u200b"
NBSP = "\u00a0"
NNBSP = "\u202f"


def fullwidth(text: str) -> str:
    """Turn ASCII into the full-width forms an East Asian IME produces."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def assert_invalid(func, value, code, *args):
    """Call func and check it raises InvalidValue with the expected code."""
    with pytest.raises(InvalidValue) as info:
        func(value, *args)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)
    assert str(info.value) == MESSAGES[code].format(value=info.value.detail)
    return info.value


# --- Partita IVA ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00743110157", "00743110157"),
        ("01114601006", "01114601006"),
        ("07643520567", "07643520567"),
        ("IT00743110157", "00743110157"),
        ("it00743110157", "00743110157"),
        ("IT 00743110157", "00743110157"),
        ("  007 431 101 57  ", "00743110157"),
        ("007.431.101.57", "00743110157"),
        ("007-431-101-57", "00743110157"),
        ("\t00743110157\n", "00743110157"),
        (f"0074{ZWSP}3110157", "00743110157"),
        (f"007{NBSP}431{NBSP}10157", "00743110157"),
        (fullwidth("IT00743110157"), "00743110157"),
    ],
)
def test_vat_valid(raw, expected):
    assert normalize_vat_it(raw) == expected


VAT_INVALID = [
    ("", "vat_format"),
    ("   ", "vat_format"),
    ("0074311015", "vat_format"),  # 10 digits
    ("007431101570", "vat_format"),  # 12 digits
    ("0074311015A", "vat_format"),
    ("DE00743110157", "vat_format"),
    ("IT IT00743110157", "vat_format"),
    ("00743110157/", "vat_format"),
    ("٠٠٧٤٣١١٠١٥٧", "vat_format"),  # Arabic-Indic digits are not accepted
    ("00743110158", "vat_checksum"),
    ("IT00743110158", "vat_checksum"),
    ("02780280964", "vat_checksum"),
    ("12345678901", "vat_checksum"),  # invalid province code
    ("00000000000", "vat_checksum"),
    ("x" * 10_000, "vat_format"),
]


@pytest.mark.parametrize(("raw", "code"), VAT_INVALID)
def test_vat_invalid(raw, code):
    assert_invalid(normalize_vat_it, raw, code)


# --- Codice fiscale ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("RSSMRA85T10A562S", "RSSMRA85T10A562S"),
        ("rssmra85t10a562s", "RSSMRA85T10A562S"),
        (" RSS MRA 85T10 A562S ", "RSSMRA85T10A562S"),
        ("RCCMNL83S18D969H", "RCCMNL83S18D969H"),
        ("RSSMRA85T10A56NH", "RSSMRA85T10A56NH"),  # omocodia: a digit replaced by a letter
        (f"RSSMRA85T10{ZWSP}A562S", "RSSMRA85T10A562S"),
        (fullwidth("RSSMRA85T10A562S"), "RSSMRA85T10A562S"),
        ("00743110157", "00743110157"),
        ("007 431 101 57", "00743110157"),
    ],
)
def test_tax_code_valid(raw, expected):
    assert normalize_tax_code_it(raw) == expected


TAX_CODE_INVALID = [
    ("", "tax_code_format"),
    ("RSSMRA85T10A562", "tax_code_format"),  # 15 characters
    ("RSSMRA85T10A562SX", "tax_code_format"),  # 17 characters
    ("RSSMRA85Z10A562B", "tax_code_format"),  # Z is not a month letter
    ("1234567890123456", "tax_code_format"),
    ("RSSMRA85T10A562-", "tax_code_format"),
    ("RSSMRA85T10A562Ś", "tax_code_format"),
    ("IT00743110157", "tax_code_format"),  # VAT prefix is not part of a codice fiscale
    ("007.431.101.57", "tax_code_format"),
    ("0074311015", "tax_code_format"),
    ("RSSMRA85T10A562X", "tax_code_checksum"),
    ("RSSMRA85T32A562Y", "tax_code_checksum"),  # check letter right, day 32 impossible
    ("00743110158", "tax_code_checksum"),
    ("12345678901", "tax_code_checksum"),
    ("R" * 10_000, "tax_code_format"),
]


@pytest.mark.parametrize(("raw", "code"), TAX_CODE_INVALID)
def test_tax_code_invalid(raw, code):
    assert_invalid(normalize_tax_code_it, raw, code)


# --- POD -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("IT001E12345678", "IT001E12345678"),
        ("it 001 e 12345678", "IT001E12345678"),
        ("IT001E12345678A", "IT001E12345678A"),
        ("IT001E123456789", "IT001E123456789"),
        ("it001e12345678a", "IT001E12345678A"),
        ("IT.001.E.1234-5678", "IT001E12345678"),
        (f"  IT001E1234{ZWSP}5678\t", "IT001E12345678"),
        (fullwidth("IT001E12345678"), "IT001E12345678"),
    ],
)
def test_pod_valid(raw, expected):
    assert normalize_pod(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "IT001E1234567",  # 7 digits
        "IT001E12345678AB",  # 16 characters
        "IT01E12345678",
        "IT001X12345678",
        "FR001E12345678",
        "IT001E12345678/",
        "IT001E12345678_",
        "IT001E12345678Ä",
        "IT001E1234567٨",  # Arabic-Indic eight
        "IT001E12345678" * 700,
    ],
)
def test_pod_invalid(raw):
    assert_invalid(normalize_pod, raw, "pod_format")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", []),
        ("  \n ,; \r\n ", []),
        ("IT001E12345678", ["IT001E12345678"]),
        ("it 001 e 12345678", ["IT001E12345678"]),
        (
            "IT001E12345678\nIT002E00000001,IT003E00000001;IT004E00000001",
            ["IT001E12345678", "IT002E00000001", "IT003E00000001", "IT004E00000001"],
        ),
        ("IT001E12345678 IT002E00000001", ["IT001E12345678", "IT002E00000001"]),
        ("IT001E12345678\tIT002E00000001", ["IT001E12345678", "IT002E00000001"]),
        ("IT 001 E 12345678\r\nit 002 e 00000001", ["IT001E12345678", "IT002E00000001"]),
        (
            "IT002E00000001, IT001E12345678, it002e00000001, IT002E00000001",
            ["IT002E00000001", "IT001E12345678"],
        ),
        ("IT001E12345678A;IT001E12345678", ["IT001E12345678A", "IT001E12345678"]),
        ("IT001E12345678,,;\n\nIT002E00000001,", ["IT001E12345678", "IT002E00000001"]),
        (f"IT001E12345678{NBSP}IT002E00000001", ["IT001E12345678", "IT002E00000001"]),
        (fullwidth("IT001E12345678,IT002E00000001"), ["IT001E12345678", "IT002E00000001"]),
    ],
)
def test_pod_list_valid(raw, expected):
    assert parse_pod_list(raw) == expected


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("IT001E1234567", "IT001E1234567"),
        ("IT001E12345678\nIT002E0000001", "IT002E0000001"),
        ("IT001E12345678, nope", "nope"),
        ("IT001E12345678 IT001E1234567X", "IT001E1234567X"),
        # No token is a POD by itself: quote the whole chunk, not the confusing "IT".
        ("IT 001 E 1234567", "IT 001 E 1234567"),
        ("IT001E12345678; IT 001 E 1234567", "IT 001 E 1234567"),
        ("x" * 10_000, "x" * 39 + "…"),
    ],
)
def test_pod_list_invalid_item(raw, detail):
    error = assert_invalid(parse_pod_list, raw, "pod_list_item")
    assert error.detail == detail
    assert f"«{detail}»" in str(error)
    assert "{value}" in MESSAGES["pod_list_item"]


def test_pod_list_detail_with_braces_is_not_reformatted():
    error = assert_invalid(parse_pod_list, "{value}{0}", "pod_list_item")
    assert "«{value}{0}»" in str(error)


def test_pod_list_too_long():
    assert_invalid(parse_pod_list, "IT001E12345678\n" * 2000, "pod_list_too_long")
    assert str(MAX_POD_LIST_LENGTH) in MESSAGES["pod_list_too_long"]


def test_pod_list_long_valid_input_is_accepted():
    pods = [f"IT001E{n:08d}" for n in range(1000)]
    raw = "\n".join(pods + pods[:200])
    assert len(raw) <= MAX_POD_LIST_LENGTH
    assert parse_pod_list(raw) == pods


# --- ATECO ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25.62.00", "25.62.00"),
        ("256200", "25.62.00"),
        ("25 62 00", "25.62.00"),
        ("25-62-00", "25.62.00"),
        (" 25.62.00 ", "25.62.00"),
        ("25. 62. 00", "25.62.00"),
        ("2562.00", "25.62.00"),
        (f"25{NBSP}62{NBSP}00", "25.62.00"),
        (f"25.62{ZWSP}.00", "25.62.00"),
        (fullwidth("25.62.00"), "25.62.00"),
    ],
)
def test_ateco_valid(raw, expected):
    assert normalize_ateco(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "25.62",
        "25.62.0",
        "2562000",
        "25.62.000",
        "2.5.6.2.0.0",
        "25..62.00",
        "25/62/00",
        "C25.62.00",
        "ab.cd.ef",
        "２５.６２.٠٠",  # full-width is fine, Arabic-Indic is not
        "2" * 10_000,
    ],
)
def test_ateco_invalid(raw):
    assert_invalid(normalize_ateco, raw, "ateco_format")


# --- Phone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+39 0373 123456", "+39 0373 123456"),
        ("0373/123456", "0373 123456"),
        ("0373 / 123456", "0373 123456"),
        ("333 1234567", "333 1234567"),
        ("3331234567", "3331234567"),
        ("0039 333 1234567", "+39 333 1234567"),
        ("00393331234567", "+39 3331234567"),
        ("+393331234567", "+39 3331234567"),
        ("+ 39 333 1234567", "+39 333 1234567"),
        ("00 39 333 1234567", "+39 333 1234567"),
        ("0041 91 123 45 67", "+41 91 123 45 67"),
        ("+41 91 123 45 67", "+41 91 123 45 67"),
        ("(0373) 12-34.56", "0373 12 34 56"),
        ("+39 (0373) 123456", "+39 0373 123456"),
        ("  333   1234567  ", "333 1234567"),
        (f"333{NBSP}1234567", "333 1234567"),
        (f"333{ZWSP}1234567", "3331234567"),
        (fullwidth("+39 333 1234567"), "+39 333 1234567"),
        ("123456", "123456"),  # 6 digits: shortest accepted
        ("+123456789012345", "+123456789012345"),  # 15 digits: longest accepted
    ],
)
def test_phone_valid(raw, expected):
    assert normalize_phone(raw) == expected


PHONE_INVALID = [
    ("333 1234567 int. 4", "phone_format"),
    ("tel. 333 1234567", "phone_format"),
    ("333+1234567", "phone_format"),
    ("++39 333 1234567", "phone_format"),
    ("333_1234567", "phone_format"),
    ("333 1234567#", "phone_format"),
    ("٣٣٣ ١٢٣٤٥٦٧", "phone_format"),  # Arabic-Indic digits
    ("", "phone_length"),
    ("+", "phone_length"),
    ("12345", "phone_length"),
    ("0039", "phone_length"),
    ("+1234567890123456", "phone_length"),  # 16 digits
    ("0039 1234567890123456", "phone_length"),
    ("1" * 10_000, "phone_length"),
]


@pytest.mark.parametrize(("raw", "code"), PHONE_INVALID)
def test_phone_invalid(raw, code):
    assert_invalid(normalize_phone, raw, code)


# --- Primary substation (warning only) -----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected", "looks_valid"),
    [
        ("AC001E00045", "AC001E00045", True),
        ("ac001e00045", "AC001E00045", True),
        (" AC 001 E 00045 ", "AC001E00045", True),
        (f"AC001{ZWSP}E00045", "AC001E00045", True),
        (fullwidth("AC001E00045"), "AC001E00045", True),
        ("AC001E0004", "AC001E0004", False),
        ("AC001-E00045", "AC001-E00045", False),  # only spaces are removed
        ("XY123", "XY123", False),
        ("", "", False),
    ],
)
def test_substation(raw, expected, looks_valid):
    assert normalize_substation_code(raw) == expected
    expected_warning = None if looks_valid or not expected else "substation_format"
    warning = substation_code_warning(raw)
    assert warning == expected_warning


def test_substation_never_raises_on_long_input():
    raw = "a b" * 5_000
    assert normalize_substation_code(raw) == "AB" * 5_000
    assert substation_code_warning(raw) == "substation_format"


# --- Decimal -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12500", "12500"),
        ("12.500", "12500"),
        ("12.500,75", "12500.75"),
        ("1.234.567,89", "1234567.89"),
        ("1.234.567", "1234567"),
        ("1,5", "1.5"),
        ("0,5", "0.5"),
        ("1.5", "1.5"),
        ("1.50", "1.50"),
        ("1.2345", "1.2345"),
        ("1 234,5", "1234.5"),
        ("1 234 567", "1234567"),
        ("1'234", "1234"),
        ("1'234,5", "1234.5"),
        ("1’234", "1234"),
        ("1,234.5", "1234.5"),  # both separators: the last one is the decimal one
        ("1.234,5", "1234.5"),
        ("-3,2", "-3.2"),
        ("-12.500", "-12500"),
        ("-0", "0"),
        ("-0,00", "0.00"),
        ("007", "7"),
        ("  42  ", "42"),
        (f"1{NBSP}234,5", "1234.5"),
        (f"1{NNBSP}234,5", "1234.5"),
        (f"12{ZWSP}500", "12500"),
        ("１２３", "123"),
        (fullwidth("12.500,75"), "12500.75"),
    ],
)
def test_decimal_valid(raw, expected):
    result = parse_decimal_it(raw)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("12.500 kWh", "kWh", "12500"),
        ("12.500 KWH", "kWh", "12500"),
        ("12.500kwh", "kWh", "12500"),
        ("12.500", "kWh", "12500"),
        ("300 m²", "m²", "300"),
        ("300 M²", "m²", "300"),
        ("300 m2", "m²", "300"),
        ("300 mq", "mq", "300"),
        ("300 MQ", "mq", "300"),
        ("1,5 mq ", "mq", "1.5"),
        ("300 mq", "m²", "300"),
        ("300 metri quadri", "m²", "300"),
    ],
)
def test_decimal_with_unit(raw, unit, expected):
    assert parse_decimal_it(raw, unit) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("", None),
        ("   ", None),
        ("-", None),
        ("abc", None),
        ("NaN", None),
        ("nan", None),
        ("Infinity", None),
        ("-inf", None),
        ("1e5", None),
        ("1E5", None),
        ("1,5e3", None),
        ("+5", None),
        ("--5", None),
        ("- 5", None),
        ("5-", None),
        ("12,", None),
        ("12.", None),
        (",5", None),
        (".5", None),
        ("1,234,567", None),  # a comma is never a thousands separator on its own
        ("1,2,3", None),
        ("1.2.3", None),
        ("1.23.456", None),
        ("1.2345.678", None),
        ("1234.500", None),  # dot + 3 digits means thousands, but 1234 is not a group
        ("0.500", None),
        ("012.500", None),
        ("1.234.567.8", None),
        ("1.234,567.8", None),
        ("1 2 3", None),
        ("1 23", None),
        ("1.234'567", None),  # mixed thousands separators
        ("1.234 567", None),
        ("12.500,75,3", None),
        ("1_000", None),
        ("€ 12", None),
        ("12 €", None),
        ("12.500 kWh", None),  # a unit is only stripped when the caller expects it
        ("12.500 MWh", "kWh"),
        ("kWh 12.500", "kWh"),
        ("12.500 kWh kWh", "kWh"),
        ("300 m²", ""),
        ("٣٠٠", None),  # Arabic-Indic digits: Decimal() would accept them, we do not
        ("12²", None),
        ("1" * 10_000, None),
    ],
)
def test_decimal_invalid(raw, unit):
    assert_invalid(parse_decimal_it, raw, "number_format", unit)


# --- Robustness and consistency ------------------------------------------------------------

SINGLE_VALUE_FUNCTIONS = [
    normalize_vat_it,
    normalize_tax_code_it,
    normalize_pod,
    normalize_ateco,
    normalize_phone,
    parse_decimal_it,
]


@pytest.mark.parametrize("func", SINGLE_VALUE_FUNCTIONS)
@pytest.mark.parametrize(
    "raw",
    [
        "1" * 10_000,
        "1 " * 5_000,
        "1." * 5_000,
        "-" * 10_000,
        "IT" + "0" * 9_998,
        ZWSP * 10_000,
        "a" * 10_000 + "!",
        "1" * (MAX_LENGTH + 1),
    ],
)
def test_long_input_raises_cleanly(func, raw):
    error = assert_invalid(func, raw, _too_long_code(func))
    assert error.detail is None


def _too_long_code(func) -> str:
    """Over-long input is reported with the field's own format message."""
    return {
        normalize_vat_it: "vat_format",
        normalize_tax_code_it: "tax_code_format",
        normalize_pod: "pod_format",
        normalize_ateco: "ateco_format",
        normalize_phone: "phone_length",
        parse_decimal_it: "number_format",
    }[func]


@pytest.mark.parametrize(
    "raw",
    ["IT " * 3_333, "1 " * 5_000, "x" * 10_000, "IT001E12345678 " + "x" * 9_985],
)
def test_pod_list_long_garbage_is_refused_with_a_short_detail(raw):
    with pytest.raises(InvalidValue) as excinfo:
        parse_pod_list(raw)
    assert excinfo.value.code == "pod_list_item"
    assert len(excinfo.value.detail) <= 40


def test_invalid_value_requires_known_code():
    with pytest.raises(KeyError):
        InvalidValue("no_such_code")


def test_messages_are_plain_italian_sentences():
    for code, message in MESSAGES.items():
        assert isinstance(message, str), code
        assert message.endswith("."), code
        assert message.format(value="X"), code  # only the {value} placeholder is allowed
    assert set(MESSAGES) == {
        "vat_format",
        "vat_checksum",
        "tax_code_format",
        "tax_code_checksum",
        "pod_format",
        "pod_list_item",
        "pod_list_too_long",
        "ateco_format",
        "phone_format",
        "phone_length",
        "substation_format",
        "number_format",
        "number_format_en",
        "number_digits",
        "ateco_unusual",
        "pod_unusual",
    }


def test_module_is_framework_free():
    source = Path(v.__file__).read_text(encoding="utf-8")
    for name in ("flask", "wtforms", "babel"):
        assert f"import {name}" not in source.lower()
        assert f"from {name}" not in source.lower()


def test_every_code_is_used_and_every_used_code_is_known():
    # Codes exercised by the invalid-input tables above (plus the two one-off tests).
    tested = {code for _, code in VAT_INVALID + TAX_CODE_INVALID + PHONE_INVALID}
    tested |= {"pod_format", "pod_list_item", "pod_list_too_long", "ateco_format"}
    tested |= {"number_format", "number_format_en", "number_digits", "substation_format"}
    tested |= {"ateco_unusual", "pod_unusual"}  # warnings: see the question-kind tests
    assert tested == set(MESSAGES)
    # Every snake_case literal in the module is a code (raised, passed to _clean or returned).
    source = Path(v.__file__).read_text(encoding="utf-8")
    assert set(re.findall(r'"([a-z]+(?:_[a-z]+)+)"', source)) == set(MESSAGES)


def test_pod_list_of_separators_only_is_empty():
    assert parse_pod_list("," * 10_000) == []


# --- Numbers in either convention ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "locale", "value", "other"),
    [
        # Unambiguous writings mean the same in both languages.
        ("12.500,75", "en", "12500.75", None),
        ("12,500.75", "it", "12500.75", None),
        ("1.200.000", "en", "1200000", None),
        ("1,200,000", "it", "1200000", None),
        ("12 500", "en", "12500", None),
        ("1,5", "en", "1.5", None),
        ("1.5", "it", "1.5", None),
        ("0,500", "it", "0.5", None),
        ("1234.5", "it", "1234.5", None),
        ("2019", "it", "2019", None),
        ("300 mq", "it", "300", None),
        # Three zeros after a lone separator are thousands: nobody writes 120,000 for 120.
        ("120,000", "en", "120000", None),
        ("120,000", "it", "120000", None),
        ("120.000", "it", "120000", None),
        ("120.000", "en", "120000", None),
        # The same text, a thousand times apart: the page's language first, the other too.
        ("1.500", "it", "1500", "1.5"),
        ("1.500", "en", "1.5", "1500"),
        ("1,500", "en", "1500", "1.5"),
        ("1,500", "it", "1.5", "1500"),
        ("-2.250", "it", "-2250", "-2.25"),
    ],
)
def test_numbers_are_read_in_the_page_language_with_the_other_reading_when_it_differs(
    raw, locale, value, other
):
    reading = v.parse_number(raw, locale, unit="m²")
    assert reading.value == Decimal(value)
    assert reading.other == (Decimal(other) if other else None)


@pytest.mark.parametrize("raw", ["1.2.3", "1,,5", "12.50.000", "1,2,3.4,5", "abc", "1e3", ""])
@pytest.mark.parametrize("locale", ["it", "en"])
def test_malformed_numbers_are_refused_in_the_page_language(raw, locale):
    assert_invalid(
        lambda text: v.parse_number(text, locale),
        raw,
        "number_format_en" if locale == "en" else "number_format",
    )


@pytest.mark.parametrize(
    ("raw", "locale"),
    [
        ("1234567890123456", "it"),
        ("-1234567890123456", "en"),
        ("0,1234567890123456", "it"),
        ("12.345.678,90123456", "it"),
        ("12,345,678.90123456", "en"),
    ],
)
def test_numbers_of_more_significant_digits_than_are_kept_exactly_are_refused(raw, locale):
    for parse in (lambda text: v.parse_number(text, locale), parse_decimal_it):
        if parse is parse_decimal_it and locale == "en":
            continue
        assert_invalid(parse, raw, "number_digits")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("123456789012345", "123456789012345"),
        ("-0,123456789012345", "-0.123456789012345"),
        ("120.000.000.000.000.000.000", "120000000000000000000"),  # 2 significant digits
        ("0,000000000000000012", "0.000000000000000012"),
        ("1.234.567.890,12345", "1234567890.12345"),
    ],
)
def test_numbers_of_fifteen_significant_digits_are_kept(raw, value):
    assert v.parse_number(raw, "it").value == Decimal(value)
    assert parse_decimal_it(raw) == Decimal(value)
    # A float (the answers' JSON) gives the same number back.
    assert Decimal(repr(float(Decimal(value)))) == Decimal(value)


def test_codes_in_their_usual_shape_are_normalised_and_others_kept_as_typed():
    assert v.read_pod_list("it001e12345678\nIT 002 E 87654321, boh 123") == [
        "IT001E12345678",
        "IT002E87654321",
        "boh 123",
    ]
    assert [v.pod_looks_valid(c) for c in ("IT001E12345678", "boh 123")] == [True, False]
    assert v.read_substation_code(" ac 001 e 00045 ") == "AC001E00045"
    assert v.read_substation_code(" cabina  Crema nord ") == "cabina Crema nord"
    assert [v.ateco_looks_valid(c) for c in ("25.62.00", "25.6")] == [True, False]
