"""The site in a real browser: journeys with mouse and keyboard, and axe-core on every page.

Debian's Chromium drives the demo served on a loopback port (see tests/browser.py), with
CSRF on and the site's own JavaScript. Skipped, with the reason, where Playwright,
Chromium or axe-core (``npm install``) is missing.
"""

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from . import browser as b

MISSING = b.missing_tools()
MISSING_AXE = b.missing_tools(axe=True)
pytestmark = [
    pytest.mark.skipif(MISSING is not None, reason=f"browser tests: {MISSING}"),
    # On one worker under pytest-xdist: the served site and Chromium start once, not twice.
    pytest.mark.xdist_group("browser"),
]
needs_axe = pytest.mark.skipif(MISSING_AXE is not None, reason=f"accessibility: {MISSING_AXE}")

if MISSING is None:
    from playwright.sync_api import expect
else:  # the module is skipped; the name only has to exist
    expect = None

CONSUMPTION = "Consumo annuo complessivo di energia elettrica"
INTERESTED = "Sì, c'è interesse ad aderire"
CONSUMER = "Consumatore: si usa l'energia condivisa"
PRODUCER = "Produttore: si mette a disposizione l'energia di un impianto"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with b.serve_demo(tmp_path_factory.mktemp("browser") / "demo.sqlite") as demo:
        b.seed_sample_registrations(demo.app, demo.demo_slug)
        yield demo


@pytest.fixture(scope="module")
def chromium():
    with b.chromium() as instance:
        yield instance


@pytest.fixture
def page(chromium):
    """A page in a fresh context: a new visitor with no cookies. The site's
    Content-Security-Policy is enforced, and the test fails if the page broke it."""
    context = b.new_context(chromium)
    violations = []
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert violations == [], violations


def stored_registration(site, email: str):
    """The registration with *email*, read from the served database, with its answers."""
    from eventsreg.extensions import db
    from eventsreg.registrations.models import Registration

    with site.app.app_context():
        registration = db.session.scalar(sa.select(Registration).where(Registration.email == email))
        answers = {a.question.code: a.value for a in registration.answers}
        result = (registration.status.value, registration.phone, answers)
        db.session.remove()
    return result


def field_block(page, name: str):
    """The conditional block that holds the form field *name*."""
    return page.locator(f".conditional:has([name={name}])")


# -- the company, with the mouse -----------------------------------------------------------


def test_company_registers_changes_and_withdraws_with_the_mouse(page, site):
    page.goto(site.url("/"))
    page.get_by_role("link", name=re.compile("Fondare una Comunità Energetica")).click()
    expect(page).to_have_url(site.url(f"/events/{site.demo_slug}/"))
    page.get_by_role("link", name="Iscriviti").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Iscrizione")

    # JavaScript hides the questions that do not apply until their answer is given.
    names = b.question_names(site.app)
    consumption = field_block(page, names["annual_kwh"])
    expect(consumption).to_be_hidden()
    expect(field_block(page, names["role"])).to_be_hidden()
    page.get_by_label(INTERESTED).check()
    expect(field_block(page, names["role"])).to_be_visible()
    expect(consumption).to_be_hidden()
    page.get_by_label(PRODUCER).check()
    expect(consumption).to_be_hidden()
    page.get_by_label(CONSUMER).check()
    expect(consumption).to_be_visible()

    page.locator("#first_name").fill("Maria")
    page.locator("#last_name").fill("Rossi")
    page.locator("#email").fill("mouse@example.com")
    page.locator("#phone").fill("+39 0373 123456")
    page.locator("#company_name").fill("Officine Cremasche Srl")
    page.locator("#vat_number").fill("00743110157")
    page.get_by_label("In presenza").check()
    page.get_by_label("Impresa", exact=True).check()
    page.get_by_label("Da 10 a 49").check()
    page.get_by_label("Area Ex Olivetti").check()
    page.get_by_label(CONSUMPTION).fill("120.000")
    page.get_by_label("Questa manifestazione di interesse non è vincolante").check()
    page.locator("#privacy_consent").check()
    page.get_by_role("button", name="Invia l'iscrizione").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Iscrizione ricevuta, grazie!")
    link = page.locator(".manage-link a")
    expect(link).to_have_text(re.compile(r"/r/[A-Za-z0-9_-]{30,}$"))
    answers = stored_registration(site, "mouse@example.com")[2]
    assert (answers["role"], answers["annual_kwh"]) == ("consumer", 120000), answers

    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("La sua iscrizione")
    # The summary first; the edit form folded until asked for.
    expect(page.locator("#phone")).to_be_hidden()
    page.locator("details.edit-registration > summary").click()
    # The edit form starts from what was sent, conditional questions included.
    expect(page.get_by_label(CONSUMPTION)).to_have_value(re.compile(r"^120\.?000$"))
    page.locator("#phone").fill("+39 0373 999888")
    page.get_by_role("button", name="Salva le modifiche").click()
    expect(page.locator(".flash")).to_have_text("Le modifiche sono state salvate.")
    assert stored_registration(site, "mouse@example.com")[1] == "+39 0373 999888"

    # No longer able to come: the company's interest stays.
    page.get_by_role("button", name="Non partecipo, resta la manifestazione di interesse").click()
    expect(page.locator(".flash")).to_contain_text("la manifestazione di interesse resta")
    status, _phone, answers = stored_registration(site, "mouse@example.com")
    assert status == "confirmed" and answers["interest"] == "yes"
    expect(page.locator("main")).to_contain_text("Ricevuta")

    page.get_by_role("link", name="Ritira l'iscrizione").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ritira l'iscrizione")
    page.get_by_role("button", name="Sì, ritira l'iscrizione").click()
    expect(page.locator(".flash")).to_have_text("L'iscrizione è stata ritirata.")
    expect(page.locator("main")).to_contain_text("Questa iscrizione è stata ritirata.")
    assert stored_registration(site, "mouse@example.com")[0] == "cancelled"


# -- the company, with the keyboard only ---------------------------------------------------


def active(page) -> dict:
    """What has the focus: id, tag, class, text and href."""
    return page.evaluate(
        """() => { const e = document.activeElement; return {
            id: e.id, tag: e.tagName.toLowerCase(), cls: e.className,
            text: (e.innerText || "").trim(), href: e.getAttribute("href") || ""}; }"""
    )


def tab_to(page, selector: str, *, limit: int = 150) -> None:
    """Press Tab until the element matching *selector* has the focus."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus with Tab; last: {active(page)}")


def press_and_load(page, key: str) -> None:
    """Press *key* and wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_company_registers_changes_and_withdraws_with_the_keyboard_only(page, site):
    page.goto(site.url("/"))
    page.keyboard.press("Tab")
    assert active(page)["cls"] == "skip-link", active(page)
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert active(page)["id"] == "main"

    tab_to(page, f'a[href="/events/{site.demo_slug}/"]')
    press_and_load(page, "Enter")
    expect(page).to_have_url(site.url(f"/events/{site.demo_slug}/"))
    tab_to(page, f'a[href="/events/{site.demo_slug}/register"]')
    press_and_load(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Iscrizione")

    tab_to(page, "#first_name")
    page.keyboard.type("Maria")
    tab_to(page, "form.registration-form button[type=submit]")
    press_and_load(page, "Enter")

    # After a failed submit the summary has the focus, and its links lead to the fields.
    expect(page.locator("#error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    first_error = active(page)
    assert first_error["href"] == "#last_name", first_error
    page.keyboard.press("Enter")
    assert active(page)["id"] == "last_name"
    expect(page.locator("#first_name")).to_have_value("Maria")

    page.keyboard.type("Rossi")
    tab_to(page, "#email")
    page.keyboard.type("keyboard@example.com")
    tab_to(page, "#company_name")
    page.keyboard.type("Officine Cremasche Srl")
    tab_to(page, "#vat_number")
    page.keyboard.type("00743110157")
    tab_to(page, "#attendance-0")  # in person
    page.keyboard.press("Space")
    names = b.question_names(site.app)
    consumption = field_block(page, names["annual_kwh"])
    expect(consumption).to_be_hidden()
    tab_to(page, f"[name={names['interest']}]")  # first option: interested
    page.keyboard.press("Space")
    # Space on the first option of each group: company, fewer than 10 staff, Ex Olivetti,
    # consumer.
    for code in ("member_kind", "staff", "area", "role"):
        tab_to(page, f"[name={names[code]}]")
        page.keyboard.press("Space")
    expect(consumption).to_be_visible()
    tab_to(page, f"[name={names['annual_kwh']}]")
    page.keyboard.type("120.000")
    tab_to(page, f"[name={names['non_binding']}]")
    page.keyboard.press("Space")
    tab_to(page, "#privacy_consent")
    page.keyboard.press("Space")
    tab_to(page, "form.registration-form button[type=submit]")
    page.keyboard.press("Shift+Tab")
    assert active(page)["id"] == "marketing_consent"
    page.keyboard.press("Tab")
    press_and_load(page, "Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Iscrizione ricevuta, grazie!")
    tab_to(page, ".manage-link a")
    press_and_load(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("La sua iscrizione")
    tab_to(page, "details.edit-registration > summary")
    page.keyboard.press("Enter")  # unfolds the edit form
    tab_to(page, "#phone")
    page.keyboard.press("Control+A")
    page.keyboard.type("+39 0373 777666")
    tab_to(page, "form.registration-form button[type=submit]")
    press_and_load(page, "Enter")
    expect(page.locator(".flash")).to_have_text("Le modifiche sono state salvate.")

    tab_to(page, 'a[href$="/withdraw"]')
    press_and_load(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ritira l'iscrizione")
    tab_to(page, "main form button[type=submit]")
    press_and_load(page, "Enter")
    expect(page.locator("main")).to_contain_text("Questa iscrizione è stata ritirata.")

    status, phone, answers = stored_registration(site, "keyboard@example.com")
    assert (status, phone) == ("cancelled", "+39 0373 777666")
    assert answers["role"] == "consumer" and answers["area"] == "ex_olivetti"


def test_back_and_send_again_keeps_the_link_the_company_was_given(page, site):
    """Register, press Back, send the same form again: the same registration and the same
    link, which keeps working; nothing else is sent."""
    names = b.question_names(site.app)
    page.goto(site.url(f"/events/{site.demo_slug}/register"))
    b.fill_registration(page, "indietro@example.com")
    page.locator(f"[name={names['interest']}][value=no]").check()
    page.get_by_role("button", name="Invia l'iscrizione").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iscrizione ricevuta, grazie!")
    link = page.locator(".manage-link a").inner_text()

    page.go_back()
    page.get_by_role("button", name="Invia l'iscrizione").click()
    expect(page.locator(".flash")).to_contain_text("Questa iscrizione era già stata inviata")
    expect(page.locator(".manage-link a")).to_have_text(link)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("La sua iscrizione")


def small_room(site, slug: str) -> None:
    """A published meeting with three seats, two of them taken."""
    from datetime import UTC, datetime, timedelta

    from eventsreg.events.models import Event, EventStatus
    from eventsreg.extensions import db
    from eventsreg.registrations import services
    from eventsreg.registrations.models import AttendanceMode

    with site.app.test_request_context():
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
        event = Event(slug=slug, title="Sala piccola", status=EventStatus.published,
                      starts_at=start, ends_at=start + timedelta(hours=2), capacity=3,
                      max_party_size=5, contact_email="eventi@example.org",
                      venue_name="Sala del Consiglio", venue_address="Via Roma 1, Crema",
                      privacy_notice="**Titolare**: Consorzio.")  # fmt: skip
        db.session.add(event)
        db.session.commit()
        services.register(event, services.RegistrationData(
            first_name="Primo", last_name="Arrivato", company_name="Prima Srl",
            email="primo@example.com", attendance=AttendanceMode.in_person, party_size=2,
        ))  # fmt: skip
        db.session.remove()


def test_a_party_of_three_for_one_seat_left_chooses_to_come_with_one(page, site):
    small_room(site, "sala-piccola")
    page.goto(site.url("/events/sala-piccola/register"))
    b.fill_registration(page, "gruppo@example.com")
    page.locator("#party_size").fill("3")
    page.get_by_role("button", name="Invia l'iscrizione").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Resta 1 posto in presenza")
    page.get_by_label("Partecipare in 1, con il posto rimasto").check()
    page.get_by_role("button", name="Invia l'iscrizione").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iscrizione ricevuta, grazie!")
    expect(page.locator("main")).to_contain_text("Confermata")


def test_company_downloads_its_data_and_erases_its_registration(page, site):
    page.goto(site.url(f"/events/{site.demo_slug}/register"))
    b.fill_registration(page, "cancellami@example.com")
    page.locator("[name=q_1][value=no]").check()
    page.get_by_role("button", name="Invia l'iscrizione").click()
    page.locator(".manage-link a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("La sua iscrizione")

    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica i dati (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["registration"]["email"] == "cancellami@example.com"
    assert not re.search(r"\b[0-9a-f]{64}\b", json.dumps(data)), "a token hash in the data"

    page.get_by_role("link", name="Cancella l'iscrizione e i miei dati").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancella")
    page.get_by_role("button", name="Sì, cancella l'iscrizione e i miei dati").click()
    expect(page).to_have_url(site.url(f"/events/{site.demo_slug}/"))
    expect(page.locator(".flashes")).to_contain_text("sono stati cancellati")

    from eventsreg.extensions import db
    from eventsreg.registrations.models import Registration

    with site.app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).where(Registration.email == "cancellami@example.com")
        )
        db.session.remove()
    assert count == 0


# -- the organiser ---------------------------------------------------------------------------

QUESTION = "Quante persone lavorano nella tua sede?"


def test_organiser_creates_publishes_and_exports_an_event_through_the_ui(page, site):
    page.goto(site.url("/organizer/login"))
    page.get_by_label("Email").fill(b.ORGANIZER_EMAIL)
    page.get_by_label("Password").fill(b.ORGANIZER_PASSWORD)
    page.get_by_role("button", name="Entra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("I miei eventi")

    page.get_by_role("link", name="Nuovo evento").click()
    page.get_by_label("Titolo", exact=False).first.fill("Assemblea delle imprese 2030")
    page.get_by_label("Inizio").fill("2030-05-14T17:00")
    page.get_by_label("Fine").fill("2030-05-14T19:00")
    page.get_by_label("Luogo", exact=False).first.fill("Sala del Consiglio")
    page.get_by_label("Email di contatto").fill("assemblea@example.org")
    page.get_by_label("Informativa privacy", exact=False).first.fill("**Titolare**: Consorzio.IT.")
    page.get_by_role("button", name="Crea l'evento").click()
    expect(page.locator(".flash")).to_contain_text("Evento creato come bozza")
    expect(page).to_have_url(site.url("/organizer/events/assemblea-delle-imprese-2030/"))

    tabs = page.get_by_role("navigation", name="Sezioni dell'evento")
    tabs.get_by_role("link", name="Domande").click()
    page.get_by_role("link", name="Aggiungi una domanda").click()
    page.get_by_label("Domanda", exact=False).first.fill(QUESTION)
    page.get_by_label("Tipo di risposta").select_option(label="Numero")
    page.get_by_label("Risposta obbligatoria").check()
    page.get_by_label("Codice", exact=False).first.fill("addetti")
    page.get_by_label("Solo numeri interi").check()
    page.get_by_role("button", name="Aggiungi la domanda").click()
    expect(page.locator(".flash")).to_contain_text(f"Domanda «{QUESTION}» aggiunta")
    expect(page.locator("table.questions-table tbody tr")).to_have_count(1)

    tabs.get_by_role("link", name="Modifica").click()
    page.get_by_role("button", name="Pubblica").click()
    expect(page.locator(".flash")).to_have_text("Evento pubblicato.")

    # A company registers on the public form, answering the new question.
    public = page.context.new_page()
    public.goto(site.url("/events/assemblea-delle-imprese-2030/register"))
    b.fill_registration(public, "export@example.com", company="Tessiture Lombarde Srl")
    public.get_by_label(QUESTION).fill("1.250")
    public.get_by_role("button", name="Invia l'iscrizione").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Iscrizione ricevuta, grazie!")
    public.close()

    tabs.get_by_role("link", name="Iscrizioni").click()
    expect(page.locator(".result-count")).to_contain_text("1 iscrizione in tutto")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert len(rows) == 1, rows
    assert rows[0]["Azienda"] == "Tessiture Lombarde Srl"
    assert rows[0]["Email"] == "export@example.com"
    assert rows[0][QUESTION] == "1250"


def test_organiser_sorts_the_list_selects_two_rows_and_checks_them_in(page, site):
    """The registrations list as an organiser works it: sort by a header, "select all on
    this page" (a script under the CSP), then two rows ticked by hand and one bulk action."""
    b.sign_in(page, site)
    page.goto(site.url(f"/organizer/events/{site.demo_slug}/registrations"))
    table = page.locator("table.registrations-table")
    table.get_by_role("link", name="Nome").click()
    expect(table.locator("th[aria-sort=ascending]")).to_contain_text("Nome")
    names = table.locator("tbody th a").all_inner_texts()
    assert names == sorted(names, key=str.casefold) and len(names) >= 5

    select_all = page.get_by_label("Seleziona tutte le iscrizioni di questa pagina")
    select_all.check()
    boxes = table.locator("tbody input[name=ids]")
    assert all(box.is_checked() for box in boxes.all())
    select_all.uncheck()
    assert not any(box.is_checked() for box in boxes.all())

    page.get_by_label("Seleziona Galli Marco").check()
    page.get_by_label("Seleziona Fontana Sara").check()
    page.get_by_label("Con le iscrizioni selezionate").select_option("checkin")
    with page.expect_navigation():
        page.get_by_role("button", name="Applica").click()
    expect(page.locator(".flash")).to_contain_text("2 ingressi registrati")
    expect(table.locator("th[aria-sort=ascending]")).to_contain_text("Nome")  # order kept

    from eventsreg.extensions import db
    from eventsreg.registrations.models import Registration

    with site.app.app_context():
        arrived = db.session.scalars(
            sa.select(Registration.first_name).where(Registration.checked_in_at.is_not(None))
        ).all()
        db.session.remove()
    assert {"Marco", "Sara"} <= set(arrived)


def test_organiser_makes_a_residents_meeting_in_two_languages_and_people_register(page, site):
    """No company fields, no online or interest-only option, an English version; a resident
    registers in English, another in Italian."""
    page.goto(site.url("/organizer/login"))
    page.get_by_label("Email").fill(b.ORGANIZER_EMAIL)
    page.get_by_label("Password").fill(b.ORGANIZER_PASSWORD)
    page.get_by_role("button", name="Entra").click()
    page.get_by_role("link", name="Nuovo evento").click()
    page.locator("#title").fill("Assemblea dei residenti di Ombriano")
    page.locator("#starts_at").fill("2030-06-04T20:30")
    page.locator("#ends_at").fill("2030-06-04T22:30")
    page.locator("#venue_name").fill("Sala civica di Ombriano")
    page.locator("#capacity").fill("30")
    page.locator("#contact_email").fill("quartieri@example.org")
    page.locator("#privacy_notice").fill("**Titolare**: Comune di Crema.")
    page.get_by_label("Privati cittadini").check()
    page.locator("#organisation_field").select_option("hidden")
    page.locator("#tax_id_field").select_option("hidden")
    page.locator("#phone_field").select_option("hidden")
    page.get_by_label("Partecipazione online", exact=False).uncheck()
    page.get_by_label("Non partecipo", exact=False).uncheck()
    page.locator("#title_en").fill("Ombriano residents' meeting")
    page.locator("#privacy_notice_en").fill("**Data controller**: Comune di Crema.")
    page.get_by_role("button", name="Crea l'evento").click()
    expect(page.locator(".flash")).to_contain_text("Evento creato come bozza")
    page.get_by_role("navigation", name="Sezioni dell'evento").get_by_role(
        "link", name="Modifica"
    ).click()
    page.get_by_role("button", name="Pubblica").click()
    expect(page.locator(".flash")).to_have_text("Evento pubblicato.")

    for lang, email, heading in (
        ("en", "resident.one@example.com", "Registration received, thank you!"),
        ("it", "residente.due@example.com", "Iscrizione ricevuta, grazie!"),
    ):
        visitor = page.context.browser.new_context(locale="en-GB" if lang == "en" else "it-IT")
        public = visitor.new_page()
        public.goto(
            site.url(f"/lang/{lang}?next=/events/assemblea-dei-residenti-di-ombriano/register")
        )
        title = "Ombriano residents' meeting" if lang == "en" else "Assemblea dei residenti"
        expect(public.get_by_role("heading", level=1)).to_contain_text(title)
        assert public.locator("#company_name, #vat_number, #phone").count() == 0
        assert public.locator('[name="attendance"]').count() == 1
        public.locator("#first_name").fill("Lucia")
        public.locator("#last_name").fill("Ferrari")
        public.locator("#email").fill(email)
        public.locator("#attendance-0").check()
        public.locator("#party_size").fill("2")
        public.locator("#privacy_consent").check()
        public.get_by_role(
            "button", name="Send the registration" if lang == "en" else "Invia l'iscrizione"
        ).click()
        expect(public.get_by_role("heading", level=1)).to_have_text(heading)
        visitor.close()


# -- accessibility: axe-core on every page, both languages, phone and desktop --------------

LANGUAGES = ("it", "en")
WIDTHS = (390, 1280)

#: Scan results: {(page name, viewport width): serious and critical violations}.
Found = dict[tuple[str, int], list[dict]]


def scan_here(page, name: str, found: Found) -> None:
    """Run axe on the loaded page at each width (one load, the layout reflows)."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        found[(name, width)] = b.serious(b.run_axe(page) + b.sideways_scroll(page))
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})


def scan_public_pages(context, site, lang: str) -> Found:
    """axe on each public page, from the home page to withdrawing a registration."""
    page = context.new_page()
    found: Found = {}
    event = f"/events/{site.demo_slug}/"
    page.goto(site.url(f"/lang/{lang}?next=/"))
    scan_here(page, "home", found)
    page.goto(site.url(event))
    scan_here(page, "event page", found)
    page.goto(site.url(event + "register"))
    scan_here(page, "registration form", found)
    with page.expect_navigation():
        page.locator("form.registration-form button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    scan_here(page, "registration form with errors", found)
    b.fill_registration(page, f"axe-{lang}@example.com")
    page.locator("[name=q_1][value=no]").check()
    with page.expect_navigation():
        page.locator("form.registration-form button[type=submit]").click()
    expect(page.locator(".manage-link a")).to_be_visible()
    scan_here(page, "confirmation", found)
    page.goto(page.locator(".manage-link a").get_attribute("href"))
    scan_here(page, "personal page", found)
    personal = page.url
    page.goto(site.url(page.locator('a[href$="/withdraw"]').get_attribute("href")))
    scan_here(page, "withdraw page", found)
    page.goto(personal + "/erase")
    scan_here(page, "erase page", found)
    for name, path in [
        ("privacy notice", event + "privacy"),
        ("link request", event + "link"),
        ("accessibility statement", "/accessibilita"),
        ("404", "/events/questo-evento-non-esiste/"),
    ]:
        page.goto(site.url(path))
        scan_here(page, name, found)
    page.close()
    return found


def scan_organiser_pages(context, site, lang: str) -> Found:
    """axe on each organiser page of the demo event, signed in as an administrator."""
    page = context.new_page()
    found: Found = {}
    event = f"/organizer/events/{site.demo_slug}"

    def visit(name: str, path: str) -> None:
        page.goto(site.url(path))
        scan_here(page, name, found)

    visit("login", f"/lang/{lang}?next=/organizer/login")
    b.sign_in(page, site)
    visit("events list", "/organizer/")
    visit("dashboard", f"{event}/")
    visit("energy community", f"{event}/energy")
    visit("energy rules", "/organizer/energy-rules")
    visit("event editor", f"{event}/edit")
    visit("new event", "/organizer/events/new")
    visit("new event from a type", "/organizer/events/new?type=residents_meeting")
    visit("new edition", f"/organizer/events/new?from={site.demo_slug}")
    visit("questions", f"{event}/questions")
    edit_question = page.locator("table.questions-table a").first.get_attribute("href")
    visit("new question", f"{event}/questions/new")
    visit("question editor", edit_question)
    visit("registrations", f"{event}/registrations")
    visit("registrations filtered", f"{event}/registrations?status=active&sort=name&size=25")
    detail = page.locator("table.registrations-table tbody th a").first.get_attribute("href")
    visit("registration detail", detail)
    visit("new registration", f"{event}/registrations/new")
    visit("check-in", f"{event}/checkin")
    visit("messages", f"{event}/messages")
    visit("export log", f"{event}/exports")
    visit("outbox", "/organizer/outbox")
    visit("accounts", "/organizer/accounts")
    visit("password", "/organizer/password")
    page.close()
    return found


@pytest.fixture(scope="module")
def axe_scan(chromium, site):
    """Scan results by (side, language), each scanned once for the module."""
    results: dict[tuple[str, str], Found] = {}

    def scan(side: str, lang: str) -> Found:
        if (side, lang) not in results:
            # axe is injected as an inline script: a Content-Security-Policy must not stop it.
            context = b.new_context(chromium, width=WIDTHS[0], bypass_csp=True)
            try:
                scanner = scan_public_pages if side == "public" else scan_organiser_pages
                results[(side, lang)] = scanner(context, site, lang)
            finally:
                context.close()
        return results[(side, lang)]

    return scan


@dataclass(frozen=True)
class KnownProblem:
    """A violation axe reports today, to be fixed in the templates: (page, rule) and how."""

    side: str
    page: str
    rule: str
    reason: str


#: Each one is an xfail(strict) test below: when it is fixed, that test passes and fails the
#: run, so the entry must go. The page tests above ignore exactly these (page, rule) pairs.
KNOWN_PROBLEMS: list[KnownProblem] = []


def is_known(side: str, page_name: str, rule: str) -> bool:
    return any((p.side, p.page, p.rule) == (side, page_name, rule) for p in KNOWN_PROBLEMS)


@needs_axe
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("side", ("public", "organiser"))
def test_pages_have_no_serious_accessibility_violations(axe_scan, side, lang, width):
    found = axe_scan(side, lang)
    scanned = {name: vs for (name, w), vs in found.items() if w == width}
    assert len(scanned) >= 10, sorted(scanned)
    unexpected = {
        name: [v for v in vs if not is_known(side, name, v["id"])] for name, vs in scanned.items()
    }
    unexpected = {name: vs for name, vs in unexpected.items() if vs}
    assert not unexpected, "axe-core found:\n" + b.describe(unexpected)


@needs_axe
@pytest.mark.parametrize(
    "problem",
    [
        pytest.param(
            p, id=f"{p.page}-{p.rule}", marks=pytest.mark.xfail(strict=True, reason=p.reason)
        )
        for p in KNOWN_PROBLEMS
    ],
)
def test_known_accessibility_problem_is_gone(axe_scan, problem):
    still = {
        f"{problem.page} ({lang}, {width}px)": [v for v in vs if v["id"] == problem.rule]
        for lang in LANGUAGES
        for (name, width), vs in axe_scan(problem.side, lang).items()
        if name == problem.page
    }
    still = {where: vs for where, vs in still.items() if vs}
    assert not still, b.describe(still)
