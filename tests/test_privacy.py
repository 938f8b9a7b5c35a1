"""Personal data: the privacy notice, a registrant's copy and erasure, and the purge."""

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
import sqlalchemy as sa

from eventsreg.demo import seed_demo
from eventsreg.events.models import Event, QuestionKind
from eventsreg.extensions import db
from eventsreg.mail.models import EmailKind, OutboxEmail, OutboxStatus
from eventsreg.mail.outbox import write
from eventsreg.organizer import stats
from eventsreg.privacy import services as privacy
from eventsreg.questions.models import Answer
from eventsreg.registrations import checkin, links, services
from eventsreg.registrations.models import AttendanceMode, Registration, RegistrationStatus

from .conftest import choices, form_data
from .helpers import personal_token, registrations

# -- the privacy notice ----------------------------------------------------------------------


def test_privacy_notice_is_linked_before_the_consent_box(client, create_event):
    event = create_event(privacy_notice="**Titolare**: Consorzio.IT.", privacy_notice_version=2)
    html = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    link = html.index(f'href="/events/{event.slug}/privacy"')
    assert link < html.index('name="privacy_consent"')

    page = client.get(f"/events/{event.slug}/privacy").get_data(as_text=True)
    assert "<strong>Titolare</strong>: Consorzio.IT." in page
    assert "versione 2" in page
    assert page.count("<h1") == 1


@pytest.mark.parametrize("notice", ["", "**Titolare**: Consorzio.IT."])
def test_privacy_page_states_retention_from_the_configuration_and_the_rights(
    client, app, create_event, notice
):
    app.config["PRIVACY_RETENTION_MONTHS"] = 18
    event = create_event(privacy_notice=notice, organizers="Consorzio.IT\nREI")
    page = unescape(client.get(f"/events/{event.slug}/privacy").get_data(as_text=True))
    assert "fino a 18 mesi dopo la fine dell'evento" in page
    assert "resa anonima" in page
    for right in ("rettifica", "JSON", "cancellare l'iscrizione", "Garante per la protezione"):
        assert right in page, right
    assert 'href="https://www.garanteprivacy.it/"' in page
    assert f'href="/events/{event.slug}/link"' in page
    assert "mailto:eventi@example.org" in page
    if not notice:
        # No notice written yet: the page still names the controller and the purposes.
        assert "Titolare del trattamento" in page and "Consorzio.IT, REI" in page
        assert "Finalità" in page


def test_demo_notice_names_controller_purposes_and_points_to_retention_and_rights(client, app):
    event = seed_demo()
    page = client.get(f"/events/{event.slug}/privacy").get_data(as_text=True)
    assert "Titolare del trattamento" in page and "Finalità" in page
    assert "24 mesi" not in page  # the retention is the configured one, stated once
    assert "fino a 12 mesi dopo la fine" in page


# -- the registrant's copy of their data -----------------------------------------------------


@pytest.fixture
def surveyed(create_event, add_question):
    event = create_event(title="Comunità energetiche", organizers="Consorzio.IT\nREI")
    questions = {
        "area": add_question(
            event, "area", QuestionKind.choice, label="Area", choices=choices("nord", "sud")
        ),
        "kwh": add_question(
            event, "kwh", QuestionKind.number, label="Consumo annuo", settings={"unit": "kWh"}
        ),
        "old": add_question(event, "old", QuestionKind.text, label="Domanda archiviata"),
    }
    return event, questions


def test_registrant_downloads_everything_stored_about_them_as_json(client, surveyed, register):
    event, q = surveyed
    token = personal_token(
        client,
        register(
            event,
            marketing_consent="y",
            **{
                q["area"].field_name: "sud",
                q["kwh"].field_name: "12.500",
                q["old"].field_name: "Una risposta",
            },
        ),
    )
    q["old"].is_archived = True
    db.session.commit()
    [registration] = registrations()

    response = client.get(f"/r/{token}/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"{event.slug}.json" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"

    body = response.get_data(as_text=True)
    data = json.loads(body)
    assert data["event"]["title"] == "Comunità energetiche"
    assert data["event"]["slug"] == event.slug
    assert data["event"]["starts_at"] == event.starts_at.isoformat()
    assert data["event"]["starts_at"].endswith("+00:00")
    assert data["controller"] == {
        "organizers": ["Consorzio.IT", "REI"],
        "contact_email": "eventi@example.org",
        "privacy_notice_url": f"http://127.0.0.1:5000/events/{event.slug}/privacy",
    }
    person = data["registration"]
    assert (person["first_name"], person["last_name"]) == ("Maria", "Rossi")
    assert person["email"] == "maria.rossi@example.com"
    assert (person["phone"], person["company_name"]) == (
        "+39 0373 123456",
        "Officine Cremasche Srl",
    )
    assert (person["vat_number"], person["tax_code"]) == ("00743110157", "")
    assert (person["status"], person["attendance"], person["party_size"]) == (
        "confirmed",
        "in_person",
        1,
    )
    assert person["locale"] == "it"
    assert person["created_at"] == registration.created_at.isoformat()
    assert person["cancelled_at"] is None and person["checked_in_at"] is None
    consent = data["consent"]
    assert consent["privacy_consent_at"] == registration.privacy_consent_at.isoformat()
    assert consent["privacy_notice_version"] == 1
    assert consent["marketing_consent_at"] is not None
    answers = {a["code"]: a for a in data["answers"]}
    assert answers["area"] == {
        "question": "Area",
        "code": "area",
        "kind": "choice",
        "archived": False,
        "value": "sud",
        "text": "Sud",
    }
    # A measure as stored, with its unit, and as the registrant read it.
    assert (answers["kwh"]["value"], answers["kwh"]["unit"]) == (12500, "kWh")
    assert answers["kwh"]["text"] == "12.500 kWh"
    assert answers["old"]["archived"] is True and answers["old"]["value"] == "Una risposta"
    [email] = data["emails"]
    assert (email["kind"], email["status"]) == ("confirmation", "queued")
    assert email["subject"] == "Iscrizione confermata: Comunità energetiche"
    assert set(email) == {"kind", "subject", "status", "created_at", "sent_at"}

    # Neither the token, nor anything derived from it, is in the file.
    for secret in (token, registration.token_hash, registration.checkin_token_hash):
        assert secret not in body
    assert "token" not in body


def test_data_download_needs_the_right_token(client, surveyed, register):
    event, _ = surveyed
    mine = personal_token(client, register(event))
    theirs = personal_token(client, register(event, email="altra@example.com", first_name="Eva"))
    assert client.get(f"/r/{mine}x/data.json").status_code == 404
    assert client.get("/r/nonesiste/data.json").status_code == 404
    data = client.get(f"/r/{theirs}/data.json").get_json()
    assert data["registration"]["email"] == "altra@example.com"
    assert "maria.rossi@example.com" not in json.dumps(data)


def test_personal_page_offers_the_download_and_the_erasure(client, surveyed, register):
    event, _ = surveyed
    token = personal_token(client, register(event))
    html = client.get(f"/r/{token}").get_data(as_text=True)
    assert "I dati personali" in html
    assert f'href="/r/{token}/data.json"' in html
    assert f'href="/r/{token}/erase"' in html
    # A withdrawn registration can still be downloaded and erased.
    services.withdraw(registrations()[0])
    html = client.get(f"/r/{token}").get_data(as_text=True)
    assert f'href="/r/{token}/data.json"' in html and f'href="/r/{token}/erase"' in html


# -- erasure ---------------------------------------------------------------------------------


def outbox_rows() -> list[OutboxEmail]:
    db.session.expire_all()
    # As the registrant will read them: written from their drafts.
    rows = db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id))
    return [write(email) for email in rows]


def test_erasing_deletes_everything_gives_the_seat_away_and_confirms(
    client, create_event, add_question, register
):
    event = create_event(capacity=1, title="Incontro pieno")
    note = add_question(event, "note", QuestionKind.textarea)
    token = personal_token(client, register(event, **{note.field_name: "Una nota personale"}))
    personal_token(client, register(event, email="attesa@example.com", first_name="Ugo"))
    mine, waiting = registrations()
    assert waiting.status is RegistrationStatus.waitlisted
    mine_id = mine.id

    # The confirmation page explains, and changes nothing.
    page = client.get(f"/r/{token}/erase")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<h1") == 1 and "non si può annullare" in html
    assert 'method="post"' in html and "<button" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert len(registrations()) == 2

    response = client.post(f"/r/{token}/erase")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{event.slug}/"
    landing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "sono stati cancellati" in landing

    [left] = registrations()
    assert left.email == "attesa@example.com"
    assert left.status is RegistrationStatus.confirmed
    assert db.session.get(Registration, mine_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0

    emails = outbox_rows()
    to_me = [e for e in emails if e.to_address == "maria.rossi@example.com"]
    [confirmation] = to_me  # the confirmation of registering is gone with the registration
    assert confirmation.kind is EmailKind.erasure and confirmation.registration_id is None
    assert confirmation.event_id == event.id
    assert confirmation.subject == "Dati cancellati: Incontro pieno"
    for body in (confirmation.text_body, confirmation.html_body):
        assert "cancellato la sua iscrizione" in body
        assert "/r/" not in body and "Maria" not in body
        assert f"/events/{event.slug}/" in body
    assert confirmation.secret is None
    promotion = [e for e in emails if e.kind is EmailKind.promotion]
    assert [e.to_address for e in promotion] == ["attesa@example.com"]

    # The link is dead.
    for path in (f"/r/{token}", f"/r/{token}/data.json", f"/r/{token}/erase"):
        assert client.get(path).status_code == 404
    assert client.post(f"/r/{token}/erase").status_code == 404


def test_the_erasure_email_speaks_the_registrants_language(client, create_event, register):
    event = create_event(title="Incontro")
    client.get("/lang/en")
    token = personal_token(client, register(event))
    client.post(f"/r/{token}/erase")
    [email] = outbox_rows()
    assert '<html lang="en">' in email.html_body


def test_erasing_a_withdrawn_registration_promotes_nobody(client, create_event, register):
    event = create_event(capacity=1)
    token = personal_token(client, register(event))
    services.withdraw(registrations()[0])
    register(event, email="dopo@example.com")
    register(event, email="attesa@example.com")
    assert client.post(f"/r/{token}/erase").status_code == 303
    statuses = {r.email: r.status for r in registrations()}
    assert statuses == {
        "dopo@example.com": RegistrationStatus.confirmed,
        "attesa@example.com": RegistrationStatus.waitlisted,
    }


def test_a_message_being_sent_is_left_to_its_worker(client, create_event, register):
    event = create_event()
    token = personal_token(client, register(event))
    [email] = outbox_rows()
    email.status = OutboxStatus.sending
    db.session.commit()
    client.post(f"/r/{token}/erase")
    db.session.expire_all()
    kept = db.session.get(OutboxEmail, email.id)
    assert kept is not None and kept.registration_id is None


def test_erasing_twice_is_harmless(client, create_event, register):
    event = create_event()
    personal_token(client, register(event))
    [registration] = registrations()
    assert privacy.erase(registration) is not None
    assert privacy.erase(registration) is None
    assert registrations() == []


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_erasing_needs_the_csrf_token(self, client, create_event):
        event = create_event()
        form = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        response = client.post(f"/events/{event.slug}/register", data=form_data(csrf_token=csrf))
        token = personal_token(client, response)

        assert client.post(f"/r/{token}/erase").status_code == 400
        assert len(registrations()) == 1
        html = client.get(f"/r/{token}/erase").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        assert client.post(f"/r/{token}/erase", data={"csrf_token": csrf}).status_code == 303
        assert registrations() == []


# -- the purge -------------------------------------------------------------------------------

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
VATS = ["00743110157", "01234560157", "07654320196", "01111110159", "02222220150"]


def _move_to_the_past(event: Event, ended_at: datetime) -> None:
    event.starts_at = ended_at - timedelta(hours=2)
    event.ends_at = ended_at
    event.registration_closes_at = None
    db.session.commit()


def _data(email: str, answers: dict, **fields) -> services.RegistrationData:
    values = {
        "first_name": "Anna",
        "last_name": "Neri",
        "company_name": "Azienda",
        "attendance": AttendanceMode.in_person,
        "party_size": 1,
        "email": email,
        "phone": "+39 0373 000000",
        **fields,
    }
    return services.RegistrationData(answers=answers, **values)


@pytest.fixture
def crowded_demo(app):
    """The demo event with sixty registrations of all kinds, then moved two years back.

    Returns (event, {email: personal token}).
    """
    moment = NOW - timedelta(days=800)
    event = seed_demo(now=moment)
    event.capacity = 40
    event.starts_at, event.ends_at = moment + timedelta(days=30), moment + timedelta(days=31)
    event.registration_closes_at = None
    db.session.commit()
    q = {question.code: question.id for question in event.questions}
    tokens = {}
    for n in range(60):
        interest = ("yes", "more_info", "no")[n % 3]
        answers = {q["interest"]: interest, q["notes"]: f"Nota numero {n}" if n % 4 else None}
        if interest != "no":
            answers |= {
                q["member_kind"]: "company",
                q["staff"]: ("lt10", "10_49", "50_249", "250_plus")[n % 4],
                q["turnover"]: ("le2", "le10", "le50", "gt50")[n % 4],
                q["ateco"]: "35.12.00" if n % 7 == 0 else "25.62.00",
                q["ateco_edition"]: "2025",
                q["area"]: ("ex_olivetti", "pip_pierina", "other")[n % 3],
                q["role"]: ("consumer", "producer", "prosumer")[n % 3],
                q["annual_kwh"]: 1000 * (n + 1),
                q["has_pv"]: n % 2 == 0,
                q["roof_area_m2"]: 100 + n,
                q["pv_planned_kwp"]: 10.5 * n if n % 3 else 0,
                q["supply_points"]: [
                    {"pod": f"IT001E{n:08d}", "substation": f"AC00{n % 3}E00045", "kwh": 900 * n},
                    {"pod": f"IT002E{n:08d}", "substation": "", "kwh": None},
                ][: 1 + n % 2],
                q["pv_planned_substation"]: f"AC00{n % 2}E00045",
                q["non_binding"]: True,
            }
        answers = {k: v for k, v in answers.items() if v is not None}
        # Companies: five VAT numbers shared by several contacts (who disagree on the
        # consumption), some with a tax code only, the rest known by their address.
        fields = {"company_name": f"Impresa {n}"}
        if n < 25:
            fields["vat_number"] = VATS[n % 5]
        elif n < 35:
            fields["tax_code"] = f"RSSMRA80A01H50{n % 2}U"
        registered = services.register(
            event,
            _data(
                f"persona{n}@example.com",
                answers,
                attendance=(AttendanceMode.in_person, AttendanceMode.online)[n % 5 == 0],
                party_size=1 + n % 2,
                marketing_consent=n % 3 == 0,
                **fields,
            ),
            now=moment + timedelta(hours=n * 7),
        )
        tokens[f"persona{n}@example.com"] = registered.token
    by_email = {r.email: r for r in registrations()}
    for n in (3, 11, 40):
        services.withdraw(by_email[f"persona{n}@example.com"], now=moment + timedelta(days=20))
    for n in (1, 2, 8):
        checkin.check_in(by_email[f"persona{n}@example.com"], now=moment + timedelta(days=21))
    _move_to_the_past(event, NOW - timedelta(days=400))
    return event, tokens


def figures(event: Event) -> dict:
    """What the dashboard shows, without the names the purge removes."""
    db.session.expire_all()
    data = stats.event_dashboard(db.session.get(Event, event.id))
    cer = data.energy_community
    return {
        "counts": data.counts,
        "days": data.days,
        "active": data.active_registrations,
        "companies": data.companies,
        "questions": [
            (
                s.question.code,
                s.respondents,
                [(o.value, o.count, o.percent) for o in s.options or []],
                s.numbers,
                s.pod_count,
                s.codes,
            )
            for s in data.questions
        ],
        "disagreements": [
            (
                d.question.code,
                [row.id for row, _value in d.values],
                [v for _row, v in d.values] if d.question.kind is QuestionKind.number else None,
            )
            for d in data.disagreements
        ],
        "energy": (
            sorted(
                (
                    c.standing.value,
                    tuple(c.reasons),
                    c.contacts,
                    c.consumption,
                    tuple(sorted((p.substation or "", p.kwh or 0) for p in c.points)),
                    c.roof_m2,
                )
                for c in cer.companies
            ),
            cer.not_interested,
            [
                (
                    g.code,
                    len(g.companies),
                    g.pods,
                    g.eligible_kwh,
                    g.unverified_kwh,
                    g.planned_kwp,
                    g.existing_kwp,
                    g.roof_m2,
                )
                for g in cer.groups
            ],
        ),  # fmt: skip
    }


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(privacy, "BATCH_SIZE", 4)


def test_purge_keeps_every_dashboard_figure_of_the_demo_event(crowded_demo, small_batches):
    event, _tokens = crowded_demo
    before = figures(event)
    # The fixture makes the dashboard say something worth keeping.
    # Five VAT numbers, two tax codes, 25 addresses less the withdrawn one of them.
    assert before["companies"] == 5 + 2 + 24
    assert before["disagreements"] and sum(group[2] for group in before["energy"][2]) > 0
    standings = {company[0] for company in before["energy"][0]}
    assert {"member", "producer_only", "excluded"} <= standings
    assert before["counts"].by_status[RegistrationStatus.waitlisted] > 0

    report = privacy.purge(NOW, 12)
    assert (report.registrations, report.events) == (60, 1)
    assert figures(event) == before


def test_purge_interrupted_half_way_resumes_with_the_same_figures(
    crowded_demo, small_batches, monkeypatch
):
    event, _tokens = crowded_demo
    before = figures(event)
    anonymise, calls = privacy._anonymise, []

    def failing(*args):
        calls.append(1)
        if len(calls) > 30:
            raise RuntimeError("the machine went down")
        anonymise(*args)

    monkeypatch.setattr(privacy, "_anonymise", failing)
    with pytest.raises(RuntimeError):
        privacy.purge(NOW, 12)
    db.session.rollback()
    done = sum(r.anonymized_at is not None for r in registrations())
    assert 0 < done < 60
    monkeypatch.setattr(privacy, "_anonymise", anonymise)
    assert privacy.purge(NOW, 12).registrations == 60 - done
    assert figures(event) == before


def test_purge_removes_what_identifies_people(crowded_demo, small_batches):
    event, _tokens = crowded_demo
    before = {r.id: r for r in registrations()}
    snapshot = {
        r.id: (r.token_hash, r.privacy_consent_at, r.marketing_consent_at, r.created_at)
        for r in before.values()
    }
    privacy.purge(NOW, 12)
    q = {question.id: question for question in event.questions}
    companies = set()
    for registration in registrations():
        assert registration.anonymized_at == NOW
        assert (registration.first_name, registration.last_name, registration.phone) == ("",) * 3
        assert registration.email == f"anonimo-{registration.id}@anonimo.invalid"
        assert (registration.vat_number, registration.tax_code) == ("", "")
        assert re.fullmatch(r"Azienda anonima \d+", registration.company_name)
        companies.add(registration.company_name)
        old_hash, consent, marketing, created = snapshot[registration.id]
        assert registration.token_hash != old_hash and len(registration.token_hash) == 64
        assert registration.checkin_token_hash is None
        assert (registration.privacy_consent_at, registration.marketing_consent_at) == (
            consent,
            marketing,
        )
        assert registration.created_at == created
        for answer in registration.answers:
            code = q[answer.question_id].code
            if code == "notes":
                assert answer.value == privacy.REMOVED
            elif code == "supply_points":
                assert all(v["pod"].startswith("POD anonimo ") for v in answer.value)
    assert len(companies) == 32  # every company, the withdrawn ones too, has its pseudonym
    stored = json.dumps([[a.value for a in r.answers] for r in registrations()], ensure_ascii=False)
    assert "Nota numero" not in stored and "IT001E" not in stored
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0


def test_old_personal_links_stop_working_after_the_purge(client, crowded_demo):
    event, tokens = crowded_demo
    token = tokens["persona5@example.com"]
    assert client.get(f"/r/{token}").status_code == 200
    privacy.purge(NOW, 12)
    assert client.get(f"/r/{token}").status_code == 404
    assert client.get(f"/r/{token}/data.json").status_code == 404
    assert links.find_by_checkin_token(checkin.checkin_token_for(token)) is None


def test_purge_is_idempotent_and_leaves_recent_events_alone(crowded_demo, create_event):
    event, _ = crowded_demo
    recent = create_event(slug="recente", capacity=None)
    services.register(
        recent,
        _data("recente@example.com", {}, vat_number=VATS[0]),
        now=recent.starts_at - timedelta(days=3),
    )
    _move_to_the_past(recent, NOW - timedelta(days=300))

    assert privacy.purge(NOW, 12).registrations == 60
    after = [(r.id, r.email, r.company_name, r.token_hash, r.updated_at) for r in registrations()]
    answers = db.session.execute(sa.select(Answer.id, Answer.value).order_by(Answer.id)).all()

    again = privacy.purge(NOW + timedelta(days=1), 12)
    assert (again.registrations, again.events) == (0, 0)
    assert [
        (r.id, r.email, r.company_name, r.token_hash, r.updated_at) for r in registrations()
    ] == after
    assert db.session.execute(sa.select(Answer.id, Answer.value).order_by(Answer.id)).all() == (
        answers
    )
    kept = next(r for r in registrations() if r.event_id == recent.id)
    assert kept.email == "recente@example.com" and kept.anonymized_at is None


def test_purge_deletes_the_emails_of_erased_registrations_of_old_events(client, crowded_demo):
    event, tokens = crowded_demo
    erased = db.session.scalar(
        sa.select(Registration).where(Registration.email == "persona7@example.com")
    )
    privacy.erase(erased, now=NOW)
    [confirmation] = [e for e in outbox_rows() if e.to_address == "persona7@example.com"]
    confirmation.status = OutboxStatus.sent
    db.session.commit()
    privacy.purge(NOW, 12)
    assert outbox_rows() == []


def test_dashboard_page_of_a_purged_event_shows_the_pseudonyms(
    client, crowded_demo, create_organizer, sign_in
):
    event, _ = crowded_demo
    privacy.purge(NOW, 12)
    sign_in(create_organizer(events=[event]))
    html = client.get(f"/organizer/events/{event.slug}/").get_data(as_text=True)
    assert "Azienda anonima" in html
    assert "persona1@example.com" not in html and not re.search(r"Impresa \d", html)
    # The organiser's other pages still work on anonymised registrations.
    anonymous = registrations()[0]
    base = f"/organizer/events/{event.slug}"
    detail = client.get(f"{base}/registrations/{anonymous.id}")
    assert detail.status_code == 200 and "Azienda anonima" in detail.get_data(as_text=True)
    export = client.get(f"{base}/registrations.csv").get_data(as_text=True)
    assert "Azienda anonima" in export and "Nota numero" not in export


def test_organisers_cannot_write_to_anonymised_registrations(crowded_demo):
    from eventsreg.registrations import admin

    event, _ = crowded_demo
    privacy.purge(NOW, 12)
    assert admin.recipients(event, admin.RegistrationFilter()) == []


def test_months_are_calendar_months():
    assert privacy.months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, tzinfo=UTC
    )
    assert privacy.months_before(datetime(2026, 1, 15, tzinfo=UTC), 12) == datetime(
        2025, 1, 15, tzinfo=UTC
    )
    assert privacy.months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )


# -- the command -----------------------------------------------------------------------------


@pytest.fixture
def two_past_events(create_event, now):
    """An event that ended 13 months ago and one that ended 4 months ago, two people each."""
    events = []
    for slug, months in (("vecchio", 13), ("meno-vecchio", 4)):
        event = create_event(slug=slug, capacity=None)
        for n in range(2):
            services.register(
                event,
                _data(f"p{n}@{slug}.it", {}, vat_number=VATS[n]),
                now=event.starts_at - timedelta(days=1),
            )
        _move_to_the_past(event, privacy.months_before(now, months) - timedelta(days=1))
        events.append(event)
    return events


def anonymised_by_event() -> dict[str, int]:
    return {
        slug: count
        for slug, count in db.session.execute(
            sa.select(Event.slug, sa.func.count(Registration.anonymized_at))
            .join(Registration)
            .group_by(Event.slug)
        )
    }


def test_command_dry_run_changes_nothing(runner, two_past_events):
    result = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would anonymise 2 registration(s) in 1 event(s)" in result.output
    assert "more than 12 month(s)" in result.output
    assert anonymised_by_event() == {"vecchio": 0, "meno-vecchio": 0}
    result = runner.invoke(args=["privacy", "purge", "--dry-run", "--months", "3"])
    assert "Would anonymise 4 registration(s) in 2 event(s)" in result.output
    assert anonymised_by_event() == {"vecchio": 0, "meno-vecchio": 0}


def test_command_uses_the_configured_months_then_the_option(app, runner, two_past_events):
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 2 registration(s) in 1 event(s)" in result.output
    assert anonymised_by_event() == {"vecchio": 2, "meno-vecchio": 0}

    app.config["PRIVACY_RETENTION_MONTHS"] = 6
    assert "Anonymised 0 registration(s)" in runner.invoke(args=["privacy", "purge"]).output

    result = runner.invoke(args=["privacy", "purge", "--months", "3"])
    assert "Anonymised 2 registration(s) in 1 event(s)" in result.output
    assert anonymised_by_event() == {"vecchio": 2, "meno-vecchio": 2}
    assert runner.invoke(args=["privacy", "purge", "--months", "-1"]).exit_code != 0


def test_purged_sums_of_a_small_event_stay(create_event, add_question):
    """The pseudonyms keep two contacts of one company as one company."""
    event = create_event(capacity=None)
    kwh = add_question(event, "kwh", QuestionKind.number)
    for n, value in enumerate((100, 150)):
        services.register(
            event,
            _data(f"c{n}@officine.it", {kwh.id: value}, vat_number=VATS[0]),
            now=event.starts_at - timedelta(days=2 - n),
        )
    _move_to_the_past(event, NOW - timedelta(days=500))
    before = stats.event_dashboard(event)
    privacy.purge(NOW, 12)
    after = stats.event_dashboard(db.session.get(Event, event.id))
    assert (after.companies, after.questions[0].numbers.total) == (1, Decimal(150))
    assert before.companies == 1 and len(after.disagreements) == len(before.disagreements) == 1
