"""Regenerate docs/screenshots/*.png from the demo, with the browser the tests use.

    .venv/bin/python scripts/screenshots.py

Serves the demo (demo events, a few sample registrations, an organiser) from a temporary
SQLite file on a loopback port, drives Debian's Chromium (/usr/bin/chromium) with
Playwright, registers a company through the real form and photographs: the event page,
the form on a phone, the form with errors, the confirmation page, the confirmation email,
the organiser's dashboard, the question builder, the form's English preview, a
residents' meeting's form in English, the energy-community picture on screen and as
printed; then, with 2,000 more registrations, the event page, the form with errors, the
dashboard, the registrations list with a bulk action and the new-event page at 390, 1280
and 1920 px. Needs `pip install -r requirements-dev.txt`.
"""

import argparse
import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import browser as b  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PHONE = 390
DESKTOP = 1200
#: Phone, laptop and a large office screen: the key pages are photographed at each.
WIDTHS = (390, 1280, 1920)


def shoot(page, name: str, width: int, max_height: int) -> Path:
    """Save the top of the full page, at most *max_height* pixels tall, as *name*."""
    height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
    path = OUT / name
    page.screenshot(
        path=str(path),
        full_page=True,
        scale="css",
        clip={"x": 0, "y": 0, "width": width, "height": height},
    )
    print(f"wrote {path.relative_to(ROOT)} ({width}×{height})")
    return path


def answer(page, label: str) -> None:
    page.get_by_label(label, exact=True).check()


def fill_energy_questions(page, names: dict[str, str], *, pod: str, vat: str) -> None:
    """The registration form of the demo event as a manufacturing company fills it."""
    page.locator("#first_name").fill("Maria")
    page.locator("#last_name").fill("Rossi")
    page.locator("#email").fill("maria.rossi@officinecremasche.example")
    page.locator("#phone").fill("0373 123456")
    page.locator("#company_name").fill("Officine Cremasche Srl")
    page.locator("#vat_number").fill(vat)
    page.locator("#attendance-0").check()
    page.locator("#party_size").fill("2")
    answer(page, "Sì, c'è interesse ad aderire")
    answer(page, "Impresa")
    answer(page, "Da 10 a 49")
    page.get_by_role("group", name="Fatturato annuo").get_by_label(
        "Da 2 a 10 milioni di euro"
    ).check()
    page.get_by_label("Codice ATECO prevalente").fill("256200")
    answer(page, "Area Ex Olivetti")
    answer(page, "Consumatore: si usa l'energia condivisa")
    page.get_by_label("Punti di prelievo (POD)", exact=False).fill(
        f"{pod}; AC001E00045; 90.000\nIT001E87654321; AC001E00045; 30.000"
    )
    page.get_by_label("Consumo annuo complessivo di energia elettrica").fill("120.000")
    page.locator(f"[name={names['has_pv']}][value=no]").check()
    page.get_by_label("Superficie di tetto disponibile per il fotovoltaico").fill("800 mq")
    answer(page, "Da valutare")
    page.get_by_label("Questa manifestazione di interesse non è vincolante", exact=False).check()
    page.locator("#privacy_consent").check()


def submit(page) -> None:
    with page.expect_navigation():
        page.locator("form.registration-form button[type=submit]").click()


def confirmation_email_html(site) -> str:
    """The HTML of the confirmation email as it is sent, its inline QR code as a data URI."""
    import base64

    import sqlalchemy as sa

    from eventsreg.extensions import db
    from eventsreg.mail.delivery import build_message
    from eventsreg.mail.models import OutboxEmail

    with site.app.app_context():
        email = db.session.scalar(
            sa.select(OutboxEmail)
            .where(OutboxEmail.to_address == "maria.rossi@officinecremasche.example")
            .order_by(OutboxEmail.id.asc())
        )
        message = build_message(email)
        db.session.remove()
    html = message.html
    for attachment in message.attachments:
        content_id = dict(attachment.headers or {}).get("Content-ID", "").strip("<>")
        if content_id:
            data = base64.b64encode(attachment.data).decode("ascii")
            html = html.replace(
                f"cid:{content_id}", f"data:{attachment.content_type};base64,{data}"
            )
    return html


def add_residents_meeting(site) -> str:
    """A published residents' meeting with the form profile of private persons."""
    from datetime import UTC, datetime, timedelta

    from eventsreg.events.models import Event, EventStatus, FieldUse, Registrants
    from eventsreg.extensions import db

    with site.app.app_context():
        start = datetime.now(UTC).replace(minute=30, second=0, microsecond=0) + timedelta(days=20)
        event = Event(
            slug="assemblea-residenti-ombriano",
            title="Assemblea dei residenti di Ombriano",
            summary="Il nuovo parco di quartiere: progetto e tempi.",
            status=EventStatus.published,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            venue_name="Sala civica di Ombriano",
            venue_address="Via Ombriano 1, Crema",
            capacity=30,
            contact_email="quartieri@example.org",
            privacy_notice="**Titolare**: Comune di Crema.",
            registrants=Registrants.people,
            organisation_field=FieldUse.hidden,
            tax_id_field=FieldUse.hidden,
            phone_field=FieldUse.hidden,
            allows_online=False,
            allows_interest_only=False,
        )
        event.set_translation("title", "en", "Ombriano residents' meeting")
        event.set_translation("summary", "en", "The new neighbourhood park: plan and timing.")
        event.set_translation("privacy_notice", "en", "**Data controller**: Comune di Crema.")
        db.session.add(event)
        db.session.commit()
        slug = event.slug
        db.session.remove()
    return slug


def add_many_registrations(site, count: int) -> None:
    """*count* more registrations of the demo event, each answering every question."""
    import sqlalchemy as sa

    from bench.fixtures import fill_answers
    from eventsreg.demo import seed_registrations
    from eventsreg.events.models import Event
    from eventsreg.extensions import db

    with site.app.app_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == site.demo_slug))
        seed_registrations(event, count, seed=7)
        db.session.commit()
        fill_answers(18)
        db.session.remove()


def shoot_workspace(chromium, site) -> None:
    """The event page, the form with errors, the dashboard, the registrations list of 2,000
    registrations with a bulk action chosen, and the new-event page, at each of WIDTHS."""
    event = f"/events/{site.demo_slug}/"
    add_many_registrations(site, 2000)
    for width in WIDTHS:
        context = b.new_context(chromium, width=width, height=1000)
        page = context.new_page()
        page.goto(site.url(event))
        shoot(page, f"event-page-{width}.png", width, 1700)
        page.goto(site.url(event + "register"))
        submit(page)
        page.evaluate("window.scrollTo(0, 0)")
        shoot(page, f"form-errors-{width}.png", width, 1600)
        b.sign_in(page, site)
        page.goto(site.url(f"/organizer{event}"))
        shoot(page, f"dashboard-{width}.png", width, 2600)
        page.goto(site.url(f"/organizer{event}registrations?status=active&size=25"))
        for box in page.locator("table.registrations-table tbody input[name=ids]").all()[1:4]:
            box.check()
        page.locator("select[name=action]").select_option(index=1)
        shoot(page, f"registrations-{width}.png", width, 2000)
        page.goto(site.url("/organizer/events/new?type=energy_community"))
        shoot(page, f"new-event-{width}.png", width, 2000)
        context.close()


def free_port(preferred: int) -> int:
    """*preferred* if nobody listens there (links in the pictures then read as in the
    README), else 0 for any free port."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            return 0
    return preferred


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    if reason := b.missing_tools():
        print(f"cannot take screenshots: {reason}", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        b.serve_demo(Path(tmp) / "demo.sqlite", port=free_port(5000)) as site,
        b.chromium() as chromium,
    ):
        b.seed_sample_registrations(site.app, site.demo_slug)
        event = f"/events/{site.demo_slug}/"
        names = b.question_names(site.app)

        desktop = b.new_context(chromium, width=DESKTOP, height=900)
        page = desktop.new_page()
        page.goto(site.url(event))
        shoot(page, "event-page.png", DESKTOP, 1500)

        phone = b.new_context(chromium, width=PHONE).new_page()
        phone.goto(site.url(event + "register"))
        shoot(phone, "registration-form-phone.png", PHONE, 3000)
        fill_energy_questions(phone, names, pod="IT001E1234", vat="1234567")
        submit(phone)
        phone.evaluate("window.scrollTo(0, 0)")
        shoot(phone, "registration-form-errors-phone.png", PHONE, 1300)
        phone.context.close()

        page.goto(site.url(event + "register"))
        fill_energy_questions(page, names, pod="IT001E12345678", vat="12345670199")
        submit(page)
        shoot(page, "confirmation-page.png", DESKTOP, 2200)

        email = chromium.new_page(viewport={"width": 700, "height": 900})
        email.set_content(confirmation_email_html(site))
        shoot(email, "confirmation-email.png", 700, 1800)
        email.close()

        organiser = b.new_context(chromium, width=1280, height=900).new_page()
        b.sign_in(organiser, site)
        organiser.goto(site.url(f"/organizer{event}"))
        shoot(organiser, "organizer-dashboard.png", 1280, 2400)

        # The question builder: a number, with only a number's settings shown.
        organiser.goto(site.url(f"/organizer{event}questions/new"))
        organiser.locator("#label").fill("Potenza del nuovo impianto")
        organiser.locator("#kind").select_option("number")
        organiser.locator("#label_en").fill("Power of the new plant")
        organiser.locator("#unit").fill("kWp")
        organiser.locator("#meaning").select_option("planned_pv_kwp")
        shoot(organiser, "question-builder.png", 1280, 1900)
        organiser.goto(site.url(f"/organizer{event}questions/preview?lang=en"))
        shoot(organiser, "form-preview-en.png", 1280, 2200)

        # The energy-community picture, on screen and as printed for the meeting.
        organiser.goto(site.url(f"/organizer{event}energy"))
        shoot(organiser, "energy-community.png", 1280, 3200)
        organiser.emulate_media(media="print")
        organiser.set_viewport_size({"width": 718, "height": 1047})  # A4 less 10 mm margins
        # The first printed page: the summary (the list of companies follows on the next).
        first_page = organiser.evaluate(
            "document.querySelector('.companies-section').getBoundingClientRect().top"
        )
        shoot(organiser, "energy-community-print.png", 718, int(first_page))
        organiser.emulate_media(media="screen")
        organiser.context.close()

        # A residents' meeting: private persons, in person only, in English too.
        slug = add_residents_meeting(site)
        resident = b.new_context(chromium, width=PHONE).new_page()
        resident.goto(site.url(f"/lang/en?next=/events/{slug}/register"))
        shoot(resident, "residents-meeting-form-en-phone.png", PHONE, 2400)
        resident.context.close()
        desktop.close()

        shoot_workspace(chromium, site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
