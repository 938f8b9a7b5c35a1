"""The registration form: a valid submission end to end, and every kind of bad input."""

import io
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from eventsreg.events.models import QuestionKind
from eventsreg.extensions import db
from eventsreg.questions.models import Answer
from eventsreg.registrations.models import AttendanceMode, RegistrationStatus
from eventsreg.tokens import hash_token

from .conftest import choices, form_data
from .helpers import error_for, manage_token, registrations


def test_form_shows_standard_fields_and_event_questions(client, create_event, add_question):
    event = create_event()
    add_question(
        event, "area", QuestionKind.choice, label="Area della sede", choices=choices("nord", "sud")
    )
    html = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    for name in ("first_name", "last_name", "email", "company_name", "vat_number", "tax_code",
                 "attendance", "party_size", "privacy_consent", "marketing_consent"):  # fmt: skip
        assert f'name="{name}"' in html
    assert "Area della sede" in html
    assert f"/events/{event.slug}/privacy" in html


def test_valid_registration_is_stored_and_redirects_to_confirmation(
    register, create_event, add_question, client
):
    event = create_event(privacy_notice_version=3)
    q = add_question(event, "kwh", QuestionKind.number, settings={"unit": "kWh"})
    response = register(event, **{"email": "Maria.Rossi@Example.COM", q.field_name: "12.500 kWh"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{event.slug}/registered")
    [registration] = registrations()
    assert registration.email == "maria.rossi@example.com"
    assert registration.status is RegistrationStatus.confirmed
    assert registration.attendance is AttendanceMode.in_person
    assert registration.vat_number == "00743110157"
    assert registration.privacy_notice_version == 3
    assert registration.privacy_consent_at is not None and registration.privacy_consent_at.tzinfo
    assert registration.marketing_consent_at is None
    assert registration.answers_by_question() == {q.id: 12500}

    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Iscrizione ricevuta" in html
    assert "12.500 kWh" in html
    token = manage_token(html)
    assert registration.token_hash == hash_token(token)
    assert token not in registration.token_hash


def test_optional_marketing_consent_is_stored_with_its_time(register, create_event):
    event = create_event()
    register(event, marketing_consent="y")
    assert registrations()[0].marketing_consent_at is not None


def test_invalid_vat_shows_message_next_to_field_keeps_input_and_stores_nothing(
    register, create_event
):
    event = create_event()
    response = register(event, vat_number="01234567891", company_name="Ditta <b>Bianchi</b>")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "partita IVA non è valida" in error_for(html, "vat_number")
    assert 'class="error-summary"' in html and 'href="#vat_number"' in html
    assert 'value="01234567891"' in html
    assert "Ditta &lt;b&gt;Bianchi&lt;/b&gt;" in html  # kept, and escaped
    assert registrations() == []


def test_missing_required_fields_each_get_an_italian_message(client, create_event):
    event = create_event()
    response = client.post(f"/events/{event.slug}/register", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Inserire il nome" in error_for(html, "first_name")
    assert "Inserire l'indirizzo email" in error_for(html, "email")
    assert "Indicare la modalità di partecipazione" in error_for(html, "attendance")
    assert "informativa sulla privacy" in error_for(html, "privacy_consent")
    assert "partita IVA oppure" in error_for(html, "vat_number")
    assert registrations() == []


def test_privacy_consent_is_mandatory(register, create_event):
    event = create_event()
    response = register(event, privacy_consent=None)
    assert response.status_code == 400
    assert registrations() == []


def test_tax_code_alone_is_enough_without_vat(register, create_event):
    event = create_event()
    response = register(event, vat_number="", tax_code="rssmra85t10a562s")
    assert response.status_code == 303
    registration = registrations()[0]
    assert (registration.vat_number, registration.tax_code) == ("", "RSSMRA85T10A562S")


def test_tax_code_equal_to_vat_is_not_stored_twice(register, create_event):
    event = create_event()
    register(event, tax_code="00743110157")
    assert registrations()[0].tax_code == ""


def test_invalid_email_and_phone_are_refused(register, create_event):
    event = create_event()
    html = register(event, email="maria@", phone="chiamami").get_data(as_text=True)
    assert "indirizzo email valido" in error_for(html, "email")
    assert error_for(html, "phone")
    assert registrations() == []


def test_tampered_attendance_choice_is_refused(register, create_event):
    event = create_event(online_url="")
    response = register(event, attendance="online")  # not offered by this event
    assert "modalità di partecipazione" in error_for(response.get_data(as_text=True), "attendance")
    response = register(event, attendance="vip")
    assert response.status_code == 400
    assert registrations() == []


def test_tampered_question_choice_is_refused(register, create_event, add_question):
    event = create_event()
    single = add_question(event, "area", QuestionKind.choice, choices=choices("nord", "sud"))
    multi = add_question(event, "topics", QuestionKind.multichoice, choices=choices("pv", "wind"))
    html = register(
        event, **{single.field_name: "ovest", multi.field_name: ["pv", "'; DROP"]}
    ).get_data(as_text=True)
    assert "Scegliere una delle opzioni" in error_for(html, single.field_name)
    assert "Scegliere tra le opzioni" in error_for(html, multi.field_name)
    assert registrations() == []


def test_party_size_must_be_within_event_limit(register, create_event):
    event = create_event(max_party_size=3)
    for bad in ("0", "4", "due", "-1", "1e3"):
        html = register(event, party_size=bad).get_data(as_text=True)
        assert "da 1 a 3" in error_for(html, "party_size"), bad
    assert registrations() == []


def test_not_attending_ignores_party_size_and_takes_no_seat(register, create_event):
    event = create_event(capacity=0)
    response = register(event, attendance="not_attending", party_size="")
    assert response.status_code == 303
    registration = registrations()[0]
    assert registration.party_size == 0
    assert registration.status is RegistrationStatus.confirmed


def test_over_long_text_is_refused_without_error_page(register, create_event, add_question):
    event = create_event()
    notes = add_question(event, "notes", QuestionKind.textarea, settings={"max_length": 100})
    response = register(event, first_name="A" * 5000, **{notes.field_name: "x" * 101})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_for(html, "first_name")
    assert "al massimo 100 caratteri" in error_for(html, notes.field_name)
    assert registrations() == []


def test_huge_body_is_refused_with_413_page(client, create_event):
    event = create_event()
    response = client.post(
        f"/events/{event.slug}/register", data=form_data(company_name="x" * (10 * 1024 * 1024))
    )
    assert response.status_code == 413
    assert "troppo grandi" in response.get_data(as_text=True)
    assert registrations() == []


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("size", [1024, 1024 * 1024])
def test_a_chunked_body_is_read_within_the_same_limit(client, create_event, size):
    """Sent in chunks (no Content-Length), as a proxy or a phone may: a small form registers,
    an oversized one gets the same 413 page as any other, not an empty form's 400."""
    event = create_event()
    data = {**form_data(email=f"chunked{size}@example.com"), "padding": "x" * size}
    response = client.post(
        f"/events/{event.slug}/register",
        input_stream=io.BytesIO(urlencode(data).encode()),
        headers={"Transfer-Encoding": "chunked", "Content-Type": FORM},
        environ_overrides={"wsgi.input_terminated": True},
    )
    if size > 256 * 1024:
        assert response.status_code == 413
        assert "troppo grandi" in response.get_data(as_text=True)
        assert registrations() == []
    else:
        assert response.status_code == 303
        assert [r.email for r in registrations()] == [f"chunked{size}@example.com"]


def test_control_and_bidi_characters_are_removed(register, create_event):
    event = create_event()
    response = register(event, first_name="Ma\x00ria\u202e", company_name="  Officine\x07 Srl  ")
    assert response.status_code == 303
    registration = registrations()[0]
    assert (registration.first_name, registration.company_name) == ("Maria", "Officine Srl")


def test_odd_unicode_is_kept_intact(register, create_event):
    event = create_event()
    register(event, last_name="Dell’Acqua-Ñúñez 李", company_name="Zürich Ωmega 🌞")
    registration = registrations()[0]
    assert registration.last_name == "Dell’Acqua-Ñúñez 李"
    assert registration.company_name == "Zürich Ωmega 🌞"


def test_invalid_utf8_does_not_break_the_form(client, create_event):
    event = create_event()
    body = b"first_name=%FF%FE&last_name=%C3&email=a%40b.it"
    response = client.post(
        f"/events/{event.slug}/register",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert registrations() == []


def test_honeypot_filled_stores_nothing(register, create_event):
    event = create_event()
    response = register(event, website_confirm="http://spam.example")
    assert response.status_code == 400
    assert "campi nascosti" in response.get_data(as_text=True)
    assert registrations() == []


def test_same_email_twice_is_told_without_revealing_the_registration(app, register, create_event):
    event = create_event()
    register(event, company_name="Prima Srl", phone="0373 111111")
    # Somebody else, elsewhere, types the same address.
    response = app.test_client().post(
        f"/events/{event.slug}/register",
        data=form_data(email="MARIA.ROSSI@example.com", company_name="Altra Spa"),
    )
    html = response.get_data(as_text=True)
    assert "già iscritto" in error_for(html, "email")
    assert "Prima Srl" not in html and "0373 111111" not in html
    assert [r.company_name for r in registrations()] == ["Prima Srl"]


def test_same_email_may_register_for_another_event(register, create_event):
    first, second = create_event(), create_event()
    assert register(first).status_code == 303
    assert register(second).status_code == 303
    assert len(registrations()) == 2


def test_confirmation_page_without_a_registration_goes_back_to_the_event(client, create_event):
    event = create_event()
    response = client.get(f"/events/{event.slug}/registered")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.slug}/")


def test_answers_are_stored_one_row_per_question(register, create_event, add_question):
    event = create_event()
    a = add_question(event, "area", QuestionKind.choice, choices=choices("nord", "sud"))
    b = add_question(event, "has_pv", QuestionKind.yesno)
    c = add_question(
        event, "topics", QuestionKind.multichoice, choices=choices("pv", "wind", "storage")
    )
    d = add_question(event, "note", QuestionKind.text)
    register(
        event,
        **{
            a.field_name: "sud",
            b.field_name: "no",
            c.field_name: ["storage", "pv"],
            d.field_name: "",
        },
    )
    answers = {x.question_id: x.value for x in db.session.scalars(sa.select(Answer))}
    # Empty optional answers are not stored; multiple choices keep the organiser's order.
    assert answers == {a.id: "sud", b.id: False, c.id: ["pv", "storage"]}


# -- questions shown only depending on earlier answers ---------------------------------


@pytest.fixture
def chained(create_event, add_question):
    """Three questions, each shown only when the one before it was answered "yes"."""
    event = create_event()
    first = add_question(event, "first", QuestionKind.choice, choices=choices("yes", "no"))
    second = add_question(
        event,
        "second",
        QuestionKind.choice,
        choices=choices("yes", "no"),
        condition_question_id=first.id,
        condition_values=["yes"],
    )
    third = add_question(event, "third", condition_question_id=second.id, condition_values=["yes"])
    return event, first, second, third


def stored_codes() -> set[str]:
    return {answer.question.code for answer in db.session.scalars(sa.select(Answer))}


@pytest.mark.parametrize(
    ("first", "second", "stored"),
    [
        ("yes", "yes", {"first", "second", "third"}),
        ("yes", "no", {"first", "second"}),
        # The second question does not apply: neither does the third, whatever it says.
        ("no", "yes", {"first"}),
    ],
)
def test_a_question_applies_only_when_every_question_it_depends_on_does(
    register, chained, first, second, stored
):
    event, *questions = chained
    answers = dict(zip((q.field_name for q in questions), (first, second, "Testo"), strict=True))
    assert register(event, **answers).status_code == 303
    assert stored_codes() == stored


def test_a_condition_on_an_archived_question_no_longer_hides_anything(register, chained):
    event, first, second, third = chained
    first.is_archived = True
    db.session.commit()
    answers = {second.field_name: "yes", third.field_name: "Testo"}
    assert register(event, **answers).status_code == 303
    assert stored_codes() == {"second", "third"}


def test_questions_depending_on_each_other_in_a_circle_never_apply(register, chained):
    # The question builder refuses it; a database edited by hand may still hold it.
    event, first, second, third = chained
    first.condition_question_id, first.condition_values = third.id, ["Testo"]
    db.session.commit()
    answers = {first.field_name: "yes", second.field_name: "yes", third.field_name: "Testo"}
    assert register(event, **answers).status_code == 303
    assert stored_codes() == set()
