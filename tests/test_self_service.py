"""The personal link /r/<token>: seeing, changing and withdrawing a registration."""

import hashlib
import re
import secrets

import pytest

from eventsreg.events.models import EventStatus, QuestionKind
from eventsreg.extensions import db
from eventsreg.registrations.models import RegistrationStatus

from .conftest import choices
from .helpers import edit_data, error_for, personal_token, registrations, stored_bytes

EDIT_BUTTON = "Salva le modifiche"


def marketing_box_ticked(html: str) -> bool:
    match = re.search(r'<input[^>]*id="marketing_consent"[^>]*>', html)
    assert match, "no marketing consent box on the page"
    return " checked" in match.group(0)


@pytest.fixture
def registered(client, create_event, register):
    """An event with one confirmed registration; returns (event, token)."""
    event = create_event(title="Comunità energetiche a Crema")
    return event, personal_token(client, register(event))


def test_personal_link_shows_the_summary_and_a_prefilled_edit_form(
    client, create_event, add_question, register
):
    event = create_event(title="Comunità energetiche a Crema")
    area = add_question(
        event, "area", QuestionKind.choice, label="Area della sede", choices=choices("nord", "sud")
    )
    token = personal_token(client, register(event, **{area.field_name: "sud"}))

    response = client.get(f"/r/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "La sua iscrizione" in html and "Comunità energetiche a Crema" in html
    assert "Confermata" in html
    assert "Maria Rossi" in html and "maria.rossi@example.com" in html
    assert "Officine Cremasche Srl" in html and "00743110157" in html
    assert "Area della sede" in html and "Sud" in html
    assert EDIT_BUTTON in html
    assert 'value="Officine Cremasche Srl"' in html
    assert f'action="/r/{token}"' in html
    assert f'href="/r/{token}/withdraw"' in html


def test_unknown_garbage_and_overlong_tokens_give_404_not_500(client, registered):
    _, token = registered
    bad_tokens = [
        secrets.token_urlsafe(32),  # well formed, never issued
        token[:-1],
        token + "A",
        token.swapcase(),
        "x",
        "' OR '1'='1",
        "%00",
        "%FF%FE",
        "%E2%80%AE" + token,
        "ñ" * 40,
        "A" * 101,
        token + "A" * 100,
        "A" * 5000,
    ]
    for bad in bad_tokens:
        for method, path in (
            ("get", f"/r/{bad}"),
            ("post", f"/r/{bad}"),
            ("get", f"/r/{bad}/withdraw"),
            ("post", f"/r/{bad}/withdraw"),
        ):
            response = getattr(client, method)(path, data=edit_data(first_name="Intruso"))
            assert response.status_code == 404, (method, path[:60], response.status_code)
            # The page that explains a dead link, or (a path no router takes) the usual 404.
            page = response.get_data(as_text=True)
            assert "Questo link non funziona" in page or "Pagina non trovata" in page
    [registration] = registrations()
    assert registration.status is RegistrationStatus.confirmed
    assert registration.first_name == "Maria"


def test_only_the_sha256_hash_of_the_token_is_stored(app, registered):
    _, token = registered
    [registration] = registrations()
    assert registration.token_hash == hashlib.sha256(token.encode()).hexdigest()
    db.session.remove()  # everything committed, nothing held back in the session
    assert token.encode() not in stored_bytes()


def test_edit_form_saves_data_and_answers_then_redirects_with_a_message(
    client, create_event, add_question, register
):
    event = create_event()
    area = add_question(event, "area", QuestionKind.choice, choices=choices("nord", "sud"))
    kwh = add_question(event, "kwh", QuestionKind.number, settings={"unit": "kWh"})
    note = add_question(event, "note", QuestionKind.text)
    answers = {area.field_name: "nord", kwh.field_name: "100", note.field_name: "Ciao"}
    token = personal_token(client, register(event, **answers))

    response = client.post(
        f"/r/{token}",
        data=edit_data(
            first_name="Mariella",
            company_name="Energie Nuove Spa",
            phone="",
            **{area.field_name: "sud", kwh.field_name: "2.500", note.field_name: ""},
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/r/{token}")

    [registration] = registrations()
    assert (registration.first_name, registration.company_name, registration.phone) == (
        "Mariella",
        "Energie Nuove Spa",
        "",
    )
    assert registration.answers_by_question() == {area.id: "sud", kwh.id: 2500}
    assert registration.status is RegistrationStatus.confirmed

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Le modifiche sono state salvate." in html
    assert "Energie Nuove Spa" in html and "2.500 kWh" in html


def test_invalid_edit_shows_error_next_to_field_and_changes_nothing(client, registered):
    _, token = registered
    response = client.post(
        f"/r/{token}",
        data=edit_data(first_name="Mariella", vat_number="01234567891", party_size="0"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "partita IVA non è valida" in error_for(html, "vat_number")
    assert "da 1 a 5" in error_for(html, "party_size")
    assert error_for(html, "first_name") == ""
    assert 'value="01234567891"' in html  # what was typed is kept for correcting
    assert "Le modifiche sono state salvate." not in html

    [registration] = registrations()
    assert (registration.first_name, registration.vat_number, registration.party_size) == (
        "Maria",
        "00743110157",
        1,
    )


def test_email_cannot_be_changed_through_the_edit_form(client, registered):
    _, token = registered
    assert 'name="email"' not in client.get(f"/r/{token}").get_data(as_text=True)

    response = client.post(
        f"/r/{token}", data=edit_data(email="altra.persona@example.com", first_name="Mariella")
    )
    assert response.status_code == 303
    [registration] = registrations()
    assert registration.email == "maria.rossi@example.com"
    assert registration.first_name == "Mariella"


def test_withdraw_link_asks_for_confirmation_first(client, registered):
    _, token = registered
    response = client.get(f"/r/{token}/withdraw")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ritirare davvero l'iscrizione di Maria Rossi (Officine Cremasche Srl)" in html
    assert f'action="/r/{token}/withdraw"' in html
    assert registrations()[0].status is RegistrationStatus.confirmed


def test_confirmed_withdrawal_cancels_and_leaves_a_read_only_page(client, registered):
    _, token = registered
    response = client.post(f"/r/{token}/withdraw")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/r/{token}")

    [registration] = registrations()
    assert registration.status is RegistrationStatus.cancelled
    assert registration.cancelled_at is not None and registration.cancelled_at.tzinfo

    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "L'iscrizione è stata ritirata." in html.replace("&#39;", "'")
    assert "Questa iscrizione è stata ritirata." in html and "Ritirata" in html
    assert EDIT_BUTTON not in html and 'name="first_name"' not in html
    assert f"/r/{token}/withdraw" not in html

    # The confirmation page is not offered again, and the edit form no longer takes changes.
    again = client.get(f"/r/{token}/withdraw")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/r/{token}")
    client.post(f"/r/{token}", data=edit_data(first_name="Mariella"))
    assert registrations()[0].first_name == "Maria"


def test_withdrawing_twice_is_harmless(client, registered):
    _, token = registered
    client.post(f"/r/{token}/withdraw")
    first_cancelled_at = registrations()[0].cancelled_at

    response = client.post(f"/r/{token}/withdraw")
    assert response.status_code == 303
    [registration] = registrations()
    assert registration.status is RegistrationStatus.cancelled
    assert registration.cancelled_at == first_cancelled_at
    assert client.get(f"/r/{token}").status_code == 200


def test_same_email_can_register_again_after_withdrawing(client, registered, register):
    event, old_token = registered
    [before] = registrations()
    client.post(f"/r/{old_token}/withdraw")

    response = register(event, email="MARIA.ROSSI@example.com", company_name="Seconda Srl")
    new_token = personal_token(client, response)

    [registration] = registrations()
    assert registration.id == before.id
    assert registration.status is RegistrationStatus.confirmed
    assert registration.cancelled_at is None
    assert registration.company_name == "Seconda Srl"
    assert registration.token_hash == hashlib.sha256(new_token.encode()).hexdigest()
    assert new_token != old_token

    page = client.get(f"/r/{new_token}").get_data(as_text=True)
    assert "Seconda Srl" in page and EDIT_BUTTON in page
    # The link from the first time still opens the same, current registration.
    assert "Seconda Srl" in client.get(f"/r/{old_token}").get_data(as_text=True)


def test_personal_pages_send_no_referrer_and_are_not_stored_by_caches(
    client, create_event, register
):
    event = create_event()
    confirmation = register(event)
    token = personal_token(client, confirmation)
    responses = {
        "confirmation": client.get(confirmation.headers["Location"]),
        "manage": client.get(f"/r/{token}"),
        "edit redirect": client.post(f"/r/{token}", data=edit_data()),
        "edit error": client.post(f"/r/{token}", data=edit_data(first_name="")),
        "withdraw page": client.get(f"/r/{token}/withdraw"),
        "unknown token": client.get(f"/r/{secrets.token_urlsafe(32)}"),
        "withdraw redirect": client.post(f"/r/{token}/withdraw"),
    }
    for name, response in responses.items():
        assert response.headers.get("Referrer-Policy") == "no-referrer", name
        assert response.headers.get("Cache-Control") == "no-store", name


def test_marketing_consent_can_be_withdrawn_and_given_again_through_the_edit_form(
    client, create_event, register
):
    event = create_event()
    token = personal_token(client, register(event, marketing_consent="y"))
    assert registrations()[0].marketing_consent_at is not None
    assert marketing_box_ticked(client.get(f"/r/{token}").get_data(as_text=True))

    assert client.post(f"/r/{token}", data=edit_data()).status_code == 303  # box left unticked
    assert registrations()[0].marketing_consent_at is None
    assert not marketing_box_ticked(client.get(f"/r/{token}").get_data(as_text=True))

    client.post(f"/r/{token}", data=edit_data(marketing_consent="y"))
    assert registrations()[0].marketing_consent_at is not None


def test_registration_of_a_cancelled_event_shows_no_edit_form(client, registered):
    event, token = registered
    event.status = EventStatus.cancelled
    db.session.commit()

    response = client.get(f"/r/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Questo evento è stato annullato." in html
    assert "Maria Rossi" in html  # the summary stays readable
    assert EDIT_BUTTON not in html and 'name="first_name"' not in html

    client.post(f"/r/{token}", data=edit_data(first_name="Mariella"))
    assert registrations()[0].first_name == "Maria"


def test_edit_form_marks_only_the_wrong_field_as_invalid(client, registered):
    _, token = registered
    html = client.post(f"/r/{token}", data=edit_data(vat_number="01234567891")).get_data(
        as_text=True
    )
    vat = re.search(r'<input[^>]*id="vat_number"[^>]*>', html).group(0)
    first_name = re.search(r'<input[^>]*id="first_name"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in vat
    assert 'aria-describedby="vat_number-help vat_number-error"' in vat
    assert "aria-invalid" not in first_name  # an unknown value such as "None" reads as "true"
    assert "aria-describedby" not in first_name


def test_an_expression_of_interest_is_received_not_confirmed(client, register, create_event):
    """Nothing to confirm without attending: the registrant and the organiser read
    "Ricevuta", an attendee "Confermata"."""
    event = create_event()
    interest = register(event, email="interesse@example.com", attendance="not_attending",
                        party_size="")  # fmt: skip
    page = client.get(interest.headers["Location"]).get_data(as_text=True)
    assert "<dd>Ricevuta" in page and "Confermata" not in page
    attendee = register(event, email="presente@example.com")
    assert "<dd>Confermata" in client.get(attendee.headers["Location"]).get_data(as_text=True)


def test_giving_up_attending_keeps_the_expression_of_interest_and_frees_the_seat(
    client, create_event, add_question, register, app
):
    """ "Non è più possibile partecipare?" no longer means losing the company's interest: the
    registration stays, interest-only, with its answers; the seat goes to the waiting list."""
    event = create_event(capacity=1)
    area = add_question(event, "area", QuestionKind.choice, choices=choices("nord", "sud"))
    token = personal_token(client, register(event, **{area.field_name: "sud"}))
    register(event, email="attesa@example.com", first_name="Luca")
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "Non partecipo, resta la manifestazione di interesse" in page

    response = client.post(f"/r/{token}/stop-attending")
    assert response.status_code == 303
    maria, luca = sorted(registrations(), key=lambda r: r.id)
    assert maria.status is RegistrationStatus.confirmed and maria.is_active
    assert (maria.attendance.value, maria.party_size) == ("not_attending", 0)
    assert maria.answers_by_question() == {area.id: "sud"}
    assert luca.status is RegistrationStatus.confirmed  # promoted
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "la manifestazione di interesse resta" in page
    assert "<dd>Ricevuta" in page
    assert "Non partecipo, resta" not in page  # nothing left to give up


def test_withdrawing_everything_is_still_offered_and_says_what_it_drops(client, registered):
    _, token = registered
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "anche la manifestazione di interesse non conterà più" in page
    assert f"/r/{token}/withdraw" in page


def test_registering_again_after_withdrawing_opens_the_form_filled_in(
    client, create_event, add_question, register
):
    event = create_event()
    area = add_question(event, "area", QuestionKind.choice, choices=choices("nord", "sud"))
    token = personal_token(
        client, register(event, company_name="Officine Cremasche Srl", **{area.field_name: "sud"})
    )
    client.post(f"/r/{token}/withdraw")
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "Iscriviti di nuovo" in page

    response = client.post(f"/r/{token}/register-again")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{event.slug}/register")
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Officine Cremasche Srl"' in form
    assert 'value="maria.rossi@example.com"' in form
    assert re.search(rf'<input[^>]*name="{area.field_name}"[^>]*value="sud"[^>]*checked', form) or (
        re.search(rf'<input[^>]*checked[^>]*name="{area.field_name}"[^>]*value="sud"', form)
    )
    # Registered again, the next empty form is empty again.
    register(event, company_name="Officine Cremasche Srl")
    assert registrations()[0].status is RegistrationStatus.confirmed
    again = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert 'value="Officine Cremasche Srl"' not in again


def test_the_personal_page_puts_the_summary_first_offers_the_calendar_and_folds_the_form(
    client, registered
):
    _, token = registered
    page = client.get(f"/r/{token}").get_data(as_text=True)
    summary, calendar, edit = (
        page.index('id="summary-title"'),
        page.index("Aggiungi al calendario"),
        page.index('<details class="edit-registration"'),
    )
    assert summary < calendar < edit
    assert "Google Calendar" in page and ".ics" in page
    assert '<details class="edit-registration">' in page  # folded until opened
    # A refused change opens it, with the error in view.
    response = client.post(f"/r/{token}", data=edit_data(first_name=""))
    assert '<details class="edit-registration" open>' in response.get_data(as_text=True)


def test_a_link_that_does_not_work_explains_why_and_offers_a_new_one(client, registered):
    event, token = registered
    response = client.get(f"/r/{secrets.token_urlsafe(32)}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Questo link non funziona" in page
    assert "hanno disattivato i link precedenti" in page
    assert f'href="/events/{event.slug}/link"' in page


def test_at_most_twenty_earlier_links_are_kept_the_oldest_stops_first(client, registered):
    from eventsreg.registrations import links

    _, first = registered
    [registration] = registrations()
    tokens = [first] + [links.new_link(registration) for _ in range(links.MAX_EARLIER_LINKS + 1)]
    db.session.commit()
    assert len(registration.earlier_links) == links.MAX_EARLIER_LINKS
    assert client.get(f"/r/{tokens[0]}").status_code == 404  # the oldest, dropped
    assert all(client.get(f"/r/{token}").status_code == 200 for token in tokens[1:])
