"""English: the catalog is complete and sound, and pages, emails and dates use it.

Italian is the source language (every msgid is the Italian text); English comes from
translations/en/LC_MESSAGES/messages.po. When a test here names a missing message, run
`make translations` and translate what it added.
"""

import email
import email.policy
import os
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from .helpers import error_for, registrations

ROOT = Path(__file__).resolve().parent.parent
BABEL_CFG = ROOT / "babel.cfg"
EN_PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")
#: The keywords of the Makefile's `translations` target (pybabel extract -k …).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}
#: Only these folders hold application text (babel.cfg's patterns look nowhere else).
SOURCE_DIRS = {"eventsreg", "templates"}
#: %(name)s-style (gettext) and {name}-style (validators.MESSAGES) placeholders.
PLACEHOLDER_RE = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{\w+\}")


def compile_catalog_if_stale(po: Path = EN_PO, mo: Path = EN_MO) -> None:
    """Write the .mo from the .po when it is missing or older, as `make install` does."""
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return
    with po.open("rb") as fh:
        catalog = read_po(fh)
    # Written aside and renamed: another test run may be reading the old file right now.
    fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        write_mo(out, catalog)  # fuzzy entries left out, as pybabel compile does
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the server may run as another user
    os.replace(tmp, mo)


# At collection, before any test of the session builds an app: Flask-Babel reads the .mo
# once per app and locale, so it must be there first (plain `pytest`, without make).
compile_catalog_if_stale()


def extracted_messages() -> dict:
    """Every message the code and templates pass to gettext, as `make translations` finds it."""
    with BABEL_CFG.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(BABEL_CFG))

    def source_dirs_only(path: str) -> bool:
        parts = Path(path).relative_to(ROOT).parts
        return parts[0] in SOURCE_DIRS and not any(p.startswith((".", "_")) for p in parts)

    found = Catalog()
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=source_dirs_only,
    ):
        if message and all(message if isinstance(message, tuple) else [message]):
            found.add(message, locations=[(filename, lineno)], context=context)
    return {message.id: message for message in found if message.id}


def english_catalog() -> Catalog:
    with EN_PO.open("rb") as fh:
        return read_po(fh)


def key(msgid) -> str:
    """The catalog key of a msgid (the singular for plural messages)."""
    return msgid[0] if isinstance(msgid, tuple) else msgid


def where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:3])


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text))


# -- the catalog ----------------------------------------------------------------------------


def test_every_message_in_the_code_and_templates_has_an_english_translation():
    found = extracted_messages()
    english = english_catalog()
    assert len(found) > 600  # the extraction really looked at the code and the templates
    problems = []
    for msgid, message in found.items():
        entry = english.get(key(msgid), message.context)
        if entry is None:
            problems.append(f"missing: {key(msgid)!r} ({where(message)})")
        elif entry.id != msgid:
            problems.append(f"plural form changed: {key(msgid)!r} ({where(message)})")
        elif entry.fuzzy:
            problems.append(f"fuzzy (to be checked): {key(msgid)!r} ({where(message)})")
        elif not all(entry.string if entry.pluralizable else [entry.string]):
            problems.append(f"untranslated: {key(msgid)!r} ({where(message)})")
    assert not problems, "Run `make translations` and translate:\n" + "\n".join(problems)


def test_counts_in_templates_are_written_as_words_not_as_integers():
    """A template's ngettext is given its count written with the language's separators
    (templating.ngettext): "%(num)d" would fail on it, so every plural of a template says
    "%(num)s"."""
    wrong = [
        (where(message), key(msgid))
        for msgid, message in extracted_messages().items()
        if message.pluralizable
        and any(path.startswith("templates/") for path, _line in message.locations)
        and any("%(num)d" in form for form in message.id)
    ]
    assert not wrong


def test_english_plurals_have_both_forms():
    english = english_catalog()
    assert english.num_plurals == 2
    plurals = [m for m in english if m.id and m.pluralizable]
    assert len(plurals) >= 15
    for message in plurals:
        assert len(message.string) == 2 and all(message.string), message.id


def test_translations_keep_the_placeholders_of_the_italian_text():
    mismatches = []
    for message in english_catalog():
        if not message.id or not message.string:
            continue
        if message.pluralizable:
            pairs = list(zip(message.id, message.string, strict=True))
        else:
            pairs = [(message.id, message.string)]
        for italian, english in pairs:
            if english and placeholders(italian) != placeholders(english):
                mismatches.append(
                    f"{italian!r}: {sorted(placeholders(italian))} → "
                    f"{english!r}: {sorted(placeholders(english))}"
                )
    assert not mismatches, "\n".join(mismatches)


def test_validator_messages_are_in_the_catalog():
    from eventsreg import validators

    english = english_catalog()
    for code, italian in validators.MESSAGES.items():
        entry = english.get(italian)
        assert entry is not None and entry.string, code


def test_compiled_catalog_is_up_to_date():
    assert EN_MO.exists()
    assert EN_MO.stat().st_mtime >= EN_PO.stat().st_mtime


# -- pages ----------------------------------------------------------------------------------


def test_pages_are_in_italian_by_default(client, create_event):
    event = create_event()
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="it">' in home
    assert "Prossimi eventi" in home
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Iscrizioni aperte" in page and "Iscriviti" in page
    assert "Upcoming events" not in home and "Register" not in page


def test_after_choosing_english_the_public_pages_are_in_english(client, create_event):
    event = create_event()
    assert client.get("/lang/en").status_code == 302

    home = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in home
    assert "Upcoming events" in home
    assert "Skip to main content" in home
    assert "Prossimi eventi" not in home

    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Registration open" in page
    assert "Add to calendar" in page
    assert ">Register<" in page
    assert "Iscriviti" not in page and "Iscrizioni aperte" not in page

    form = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert '<html lang="en">' in form
    assert "How will you take part?" in form
    assert "Send the registration" in form


def test_registration_errors_are_in_english(client, create_event, register):
    event = create_event()
    client.get("/lang/en")
    response = register(event, vat_number="12345678901", first_name="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Please check the data you entered" in html
    # "Error:" is the screen-reader prefix of every field error.
    assert error_for(html, "vat_number") == (
        "Error: The VAT number is not valid: please check that you have typed it correctly "
        "(e.g. 12345670199)."
    )
    assert error_for(html, "first_name") == "Error: Enter the contact person's first name."

    response = register(event, vat_number="123")
    assert error_for(response.get_data(as_text=True), "vat_number") == (
        "Error: The VAT number must have 11 digits, with or without the IT prefix "
        "(e.g. 12345670199)."
    )


def test_registration_errors_are_in_italian_by_default(create_event, register):
    event = create_event()
    html = register(event, vat_number="12345678901").get_data(as_text=True)
    assert error_for(html, "vat_number").startswith("Errore: La partita IVA non è valida")


def test_confirmation_page_is_in_english(client, create_event, register):
    event = create_event(title="Energy community meeting")
    client.get("/lang/en")
    response = register(event)
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Your registration for “Energy community meeting” is confirmed." in html
    assert "Your personal link" in html
    assert "In person" in html
    assert "confermata" not in html


# -- email and dates ------------------------------------------------------------------------


@pytest.fixture
def app_config() -> dict:
    """A mail server is set, so delivery hands messages to flask-mail (which records them)."""
    return {"MAIL_SERVER": "smtp.test"}


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def text_part(message, subtype: str) -> str:
    return parsed(message).get_body(preferencelist=(subtype,)).get_content()


def test_email_to_a_registrant_who_registered_in_english_is_in_english(
    client, create_event, register, outbox
):
    start = datetime(2030, 12, 10, 16, 0, tzinfo=UTC)  # a Tuesday, 17:00 in Rome
    event = create_event(title="CER meeting", starts_at=start, ends_at=start + timedelta(hours=1))
    client.get("/lang/en")
    assert register(event).status_code == 303
    [registration] = registrations()
    assert registration.locale == "en"

    [message] = outbox
    assert message.subject == "Registration confirmed: CER meeting"
    when = "Tuesday 10 December 2030"  # British English, as on the pages
    for body in (text_part(message, "plain"), text_part(message, "html")):
        assert "Dear Maria Rossi," in body
        assert "Your registration is confirmed. We look forward to seeing you!" in body
        assert "The data you sent" in body
        assert f"{when}, 17:00–18:00" in body
        assert "Gentile" not in body and "dicembre" not in body


def test_email_to_an_italian_registrant_stays_in_italian(create_event, register, outbox):
    event = create_event(title="Incontro CER")
    assert register(event).status_code == 303
    [message] = outbox
    assert message.subject == "Iscrizione confermata: Incontro CER"
    assert "Gentile Maria Rossi," in text_part(message, "plain")


def test_dates_are_written_the_english_way(client, create_event):
    start = datetime(2022, 12, 13, 16, 0, tzinfo=UTC)
    event = create_event(starts_at=start, ends_at=start + timedelta(minutes=90))
    italian = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "martedì 13 dicembre 2022, 17:00–18:30" in italian

    client.get("/lang/en")
    english = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    # British English: day before month, no commas (not the US "Tuesday, December 13, 2022").
    assert "Tuesday 13 December 2022, 17:00–18:30" in english
    assert "December 13" not in english
    assert "martedì" not in english and "dicembre" not in english
