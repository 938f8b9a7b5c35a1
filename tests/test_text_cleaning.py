"""The cleaning of submitted text (eventsreg/forms.py): its quick path for plain ASCII
gives what the full cleaning gives, for every character and for hostile text."""

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from eventsreg.forms import clean_line, clean_text

from .hostile import hostile_text

_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _full_clean_text(value: str) -> str:
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", value).strip()


def _full_clean_line(value: str) -> str:
    return re.sub(r"\s*\n\s*", " ", _full_clean_text(value))


def test_every_character_alone_and_between_letters_is_cleaned_as_before():
    for code in range(0x3100):
        character = chr(code)
        for value in (character, f"a{character}b", f" {character} "):
            assert clean_text(value) == _full_clean_text(value), hex(code)
            assert clean_line(value) == _full_clean_line(value), hex(code)


@given(st.one_of(hostile_text(huge=False), st.text()))
def test_any_text_is_cleaned_as_before(value):
    assert clean_text(value) == _full_clean_text(value)
    assert clean_line(value) == _full_clean_line(value)


def test_what_the_cleaning_does():
    assert clean_text("  Officine Cremasche Srl ") == "Officine Cremasche Srl"
    assert clean_text("riga\r\nriga\rriga\x00\u202e") == "riga\nriga\nriga"
    assert clean_line("Maria\n  Rossi") == "Maria Rossi"
    assert clean_text("e\u0301") == "é"  # NFC
    assert clean_text(None) is None and clean_line(3) == 3
