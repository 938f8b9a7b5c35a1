"""Check-in at the door: the list, one-tap check-in and undo, the QR code, the print list."""

import pytest

from eventsreg.extensions import db
from eventsreg.registrations import checkin, links
from eventsreg.registrations.models import Registration

from .helpers import content_svgs, manage_token, registrations


@pytest.fixture
def door(client, create_event, create_organizer, register, sign_in):
    """An event with capacity 2: Maria and Luca confirmed in person, Anna waitlisted,
    Paolo interest only; the organiser signed in. Returns (event, tokens by first name)."""
    event = create_event(capacity=2)
    tokens = {}
    for first, email, attendance in [
        ("Maria", "maria@example.com", "in_person"),
        ("Luca", "luca@example.com", "in_person"),
        ("Anna", "anna@example.com", "in_person"),
        ("Paolo", "paolo@example.com", "not_attending"),
    ]:
        response = register(event, first_name=first, email=email, attendance=attendance)
        tokens[first] = manage_token(
            client.get(response.headers["Location"]).get_data(as_text=True)
        )
    sign_in(create_organizer(events=[event]))
    return event, tokens


def _by_name(first_name: str) -> Registration:
    return next(r for r in registrations() if r.first_name == first_name)


def test_door_list_shows_confirmed_attendees_only(client, door):
    event, _ = door
    html = client.get(f"/organizer/events/{event.slug}/checkin").get_data(as_text=True)
    assert "Maria" in html and "Luca" in html
    assert "Anna" not in html  # waitlisted
    assert "Paolo" not in html  # interest only


def test_door_list_search_by_name_or_company(client, door):
    event, _ = door
    html = client.get(f"/organizer/events/{event.slug}/checkin?q=luca").get_data(as_text=True)
    assert "Luca" in html and "Maria" not in html


def test_one_tap_check_in_and_undo(client, door):
    event, _ = door
    maria = _by_name("Maria")
    url = f"/organizer/events/{event.slug}/checkin/{maria.id}"
    assert client.post(url).status_code == 303
    assert _by_name("Maria").checked_in_at is not None
    again = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "Ingresso già registrato: Maria" in again
    client.post(url, data={"undo": "1"})
    assert _by_name("Maria").checked_in_at is None


def test_count_of_people_arrived(client, door):
    event, _ = door
    client.post(f"/organizer/events/{event.slug}/checkin/{_by_name('Luca').id}")
    html = client.get(f"/organizer/events/{event.slug}/checkin").get_data(as_text=True)
    assert "Ingresso registrato finora per 1 persona." in html
    assert "entrat" not in html


def test_qr_code_opens_that_registrations_check_in_for_its_organiser(client, door):
    event, tokens = door
    qr_token = checkin.checkin_token_for(tokens["Maria"])
    response = client.get(f"/organizer/checkin/{qr_token}")
    maria = _by_name("Maria")
    assert response.headers["Location"].endswith(
        f"/organizer/events/{event.slug}/checkin/{maria.id}"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Registra ingresso" in page and maria.full_name in page


def test_qr_code_of_another_organisers_event_is_404(
    app, client, door, create_event, create_organizer
):
    event, tokens = door
    stranger = app.test_client()
    other = create_organizer("altro@example.org", events=[create_event()])
    stranger.post("/organizer/login", data={"email": other.email, "password": "una-password-lunga"})
    qr_token = checkin.checkin_token_for(tokens["Maria"])
    assert stranger.get(f"/organizer/checkin/{qr_token}").status_code == 404
    maria = _by_name("Maria")
    assert stranger.post(f"/organizer/events/{event.slug}/checkin/{maria.id}").status_code == 404
    assert _by_name("Maria").checked_in_at is None


def test_qr_code_needs_sign_in(app, door):
    _, tokens = door
    response = app.test_client().get(
        f"/organizer/checkin/{checkin.checkin_token_for(tokens['Maria'])}"
    )
    assert response.status_code == 302 and "/organizer/login" in response.headers["Location"]


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 500, "%00"])
def test_unknown_qr_tokens_are_404(client, door, token):
    assert client.get(f"/organizer/checkin/{token}").status_code == 404


def test_only_the_hash_of_the_check_in_token_is_stored(door):
    _, tokens = door
    qr_token = checkin.checkin_token_for(tokens["Maria"])
    maria = _by_name("Maria")
    assert maria.checkin_token_hash != qr_token and len(maria.checkin_token_hash) == 64
    assert links.find_by_checkin_token(qr_token).id == maria.id


def test_a_new_personal_link_brings_a_new_qr_code_and_the_old_one_keeps_working(client, door):
    event, tokens = door
    old_qr = checkin.checkin_token_for(tokens["Maria"])
    client.post(f"/events/{event.slug}/link", data={"email": "maria@example.com"})
    maria = _by_name("Maria")
    assert links.find_by_checkin_token(old_qr) == maria  # the email she has still works
    assert maria.checkin_token_hash not in (None, checkin.checkin_hash(tokens["Maria"]))


def test_registration_of_another_event_is_404_on_the_door_urls(
    client, door, create_event, register
):
    event, _ = door
    other = create_event()
    register(other, email="altro@example.com")
    stranger = next(r for r in registrations() if r.event_id == other.id)
    assert client.get(f"/organizer/events/{event.slug}/checkin/{stranger.id}").status_code == 404
    assert client.post(f"/organizer/events/{event.slug}/checkin/{stranger.id}").status_code == 404


def test_printable_list_has_every_expected_person_and_a_signature_column(client, door):
    event, _ = door
    html = client.get(f"/organizer/events/{event.slug}/checkin/print").get_data(as_text=True)
    assert "Firma" in html and "Maria" in html and "Luca" in html and "Anna" not in html


def test_personal_page_shows_the_qr_code_to_in_person_attendees_only(client, door):
    _, tokens = door
    assert content_svgs(client.get(f"/r/{tokens['Maria']}").get_data(as_text=True))
    assert not content_svgs(client.get(f"/r/{tokens['Anna']}").get_data(as_text=True))  # waitlisted
    assert not content_svgs(client.get(f"/r/{tokens['Paolo']}").get_data(as_text=True))  # absent


def test_door_pages_need_sign_in(app, door):
    event, _ = door
    anonymous = app.test_client()
    maria_id = db.session.get(Registration, _by_name("Maria").id).id
    for url in (
        f"/organizer/events/{event.slug}/checkin",
        f"/organizer/events/{event.slug}/checkin/print",
        f"/organizer/events/{event.slug}/checkin/{maria_id}",
    ):
        assert anonymous.get(url).status_code == 302
    assert anonymous.post(f"/organizer/events/{event.slug}/checkin/{maria_id}").status_code == 302
    assert _by_name("Maria").checked_in_at is None


def test_part_of_a_party_is_checked_in_and_the_rest_later(
    client, create_event, create_organizer, register, sign_in
):
    """A party of four: two arrive first, then the other two; the count follows."""
    event = create_event(max_party_size=4)
    register(event, first_name="Giulia", email="giulia@example.com", party_size="4")
    sign_in(create_organizer(events=[event]))
    giulia = _by_name("Giulia")
    door_url = f"/organizer/events/{event.slug}/checkin"
    page = client.get(door_url).get_data(as_text=True)
    assert 'name="people" min="1" max="4"' in page

    client.post(f"{door_url}/{giulia.id}", data={"people": "2"})
    db.session.expire_all()
    giulia = _by_name("Giulia")
    assert (giulia.checked_in_count, giulia.checked_in_at is not None) == (2, True)
    first_time = giulia.checked_in_at
    page = client.get(door_url).get_data(as_text=True)
    assert "Ingresso registrato finora per 2 persone." in page
    assert "2 di 4" in page

    response = client.post(f"{door_url}/{giulia.id}", data={"people": "4"}, follow_redirects=True)
    assert "Ingresso registrato: Giulia Rossi, 4 di 4 persone." in response.get_data(as_text=True)
    db.session.expire_all()
    giulia = _by_name("Giulia")
    assert giulia.checked_in_count == 4 and giulia.checked_in_at == first_time
    assert "Ingresso registrato finora per 4 persone." in client.get(door_url).get_data(
        as_text=True
    )
    # Odd numbers are kept within the party: never more than came, never none.
    client.post(f"{door_url}/{giulia.id}", data={"undo": "1"})
    client.post(f"{door_url}/{giulia.id}", data={"people": "99"})
    db.session.expire_all()
    assert _by_name("Giulia").checked_in_count == 4
