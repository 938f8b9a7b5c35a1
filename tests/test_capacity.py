"""Seats in the room: people in person are counted, the rest wait in line for a seat."""

from datetime import timedelta

import pytest

from eventsreg.events.models import EventStatus
from eventsreg.extensions import db
from eventsreg.registrations import seats, services
from eventsreg.registrations.models import Registration, RegistrationStatus
from eventsreg.registrations.seats import seats_taken

from .helpers import edit_data, error_for, personal_token, registrations

confirmed = RegistrationStatus.confirmed
waitlisted = RegistrationStatus.waitlisted
cancelled = RegistrationStatus.cancelled


def email(n: int) -> str:
    return f"persona{n}@example.com"


def statuses() -> list[RegistrationStatus]:
    return [r.status for r in registrations()]


def by_email(address: str) -> Registration:
    return next(r for r in registrations() if r.email == address)


def test_capacity_counts_people_not_registrations(client, create_event, register):
    event = create_event(capacity=3)
    assert register(event, email=email(1), party_size="2").status_code == 303
    assert register(event, email=email(2), party_size="1").status_code == 303
    assert statuses() == [confirmed, confirmed]
    assert seats_taken(event) == 3

    response = register(event, email=email(3), party_size="1")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Iscrizione in lista d'attesa" in html
    assert "in posizione 1" in html
    # In the summary too, saying "lista d'attesa" once: "In lista d'attesa – posizione 1".
    assert (
        "In lista d&#39;attesa – posizione 1" in html or "In lista d'attesa – posizione 1" in html
    )
    assert "posizione in lista d" not in html

    response = register(event, email=email(4), party_size="1")
    assert "in posizione 2" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert statuses() == [confirmed, confirmed, waitlisted, waitlisted]
    assert seats_taken(event) == 3


def test_online_and_not_attending_are_confirmed_when_the_room_is_full(
    client, create_event, register
):
    event = create_event(capacity=1, online_url="https://meet.example.org/incontro")
    register(event, email=email(1))
    response = register(event, email=email(2), attendance="online", party_size="4")
    assert "è confermata" in client.get(response.headers["Location"]).get_data(as_text=True)
    register(event, email=email(3), attendance="not_attending", party_size="")
    register(event, email=email(4), attendance="in_person")
    assert statuses() == [confirmed, confirmed, confirmed, waitlisted]
    assert seats_taken(event) == 1


def test_a_party_larger_than_the_seats_left_is_told_how_many_and_chooses(create_event, register):
    """One seat left, a party of three: not silently waitlisted (for a single person to take
    the last seat next), but told exactly what is left and asked."""
    event = create_event(capacity=3, max_party_size=5)
    register(event, email=email(1), party_size="2")
    response = register(event, email=email(2), party_size="3")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Resta 1 posto in presenza" in error_for(html, "party_size")
    assert "Partecipare in 1, con il posto rimasto" in html
    assert "Mettere in lista d&#39;attesa tutto il gruppo di 3 persone" in html
    assert len(registrations()) == 1

    # Come with as many as fit...
    assert register(event, email=email(2), party_size="3", party_choice="fewer").status_code == 303
    assert (by_email(email(2)).status, by_email(email(2)).party_size) == (confirmed, 1)
    assert seats_taken(event) == 3


def test_a_party_may_choose_the_waiting_list_whole(create_event, register):
    event = create_event(capacity=3, max_party_size=5)
    register(event, email=email(1), party_size="2")
    response = register(event, email=email(2), party_size="3", party_choice="waitlist")
    assert response.status_code == 303
    assert (by_email(email(2)).status, by_email(email(2)).party_size) == (waitlisted, 3)
    register(event, email=email(3), party_size="1")  # one person still fits
    assert statuses() == [confirmed, waitlisted, confirmed]
    assert seats_taken(event) == 3


def test_event_page_shows_seats_left_then_the_waiting_list_when_full(
    client, create_event, register
):
    event = create_event(capacity=2)

    def page() -> str:
        return client.get(f"/events/{event.slug}/").get_data(as_text=True)

    assert "Posti in presenza ancora disponibili: 2." in page()
    register(event, email=email(1))
    assert "Posti in presenza ancora disponibili: 1." in page()
    assert "lista d'attesa" not in page()

    register(event, email=email(2))
    html = page()
    assert "Posti esauriti: iscrizioni in lista d'attesa" in html
    assert "Posti in presenza ancora disponibili" not in html
    assert f'href="/events/{event.slug}/register"' in html  # one may still join the queue
    form = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "entra in lista d'attesa" in form


def test_withdrawal_promotes_oldest_waitlisted_that_fit_skipping_one_too_large(
    create_event, register
):
    event = create_event(capacity=4)
    register(event, email=email(1), party_size="2")
    register(event, email=email(2), party_size="2")
    register(event, email=email(3), party_size="3")  # first in line, but needs 3 seats
    register(event, email=email(4), party_size="1")
    register(event, email=email(5), party_size="1")
    register(event, email=email(6), party_size="1")
    assert statuses() == [confirmed, confirmed] + [waitlisted] * 4

    promoted = services.withdraw(by_email(email(1)))

    assert [r.email for r in promoted] == [email(4), email(5)]
    assert statuses() == [cancelled, confirmed, waitlisted, confirmed, confirmed, waitlisted]
    assert seats_taken(event) == 4


def test_withdrawing_through_the_personal_link_gives_the_seats_to_the_waiting_list(
    client, create_event, register
):
    event = create_event(capacity=3)
    token = personal_token(client, register(event, email=email(1), party_size="2"))
    register(event, email=email(2), party_size="1")
    too_big = personal_token(client, register(event, email=email(3), party_size="3"))
    fits = personal_token(client, register(event, email=email(4), party_size="2"))
    last = personal_token(client, register(event, email=email(5), party_size="1"))

    assert client.post(f"/r/{token}/withdraw").status_code == 303

    assert statuses() == [cancelled, confirmed, waitlisted, confirmed, waitlisted]
    assert "Confermata" in client.get(f"/r/{fits}").get_data(as_text=True)
    assert "– posizione 1" in client.get(f"/r/{too_big}").get_data(as_text=True)
    assert "– posizione 2" in client.get(f"/r/{last}").get_data(as_text=True)
    assert seats_taken(event) == 3


def test_waitlist_position_numbers_the_queue_from_one_in_arrival_order(create_event, register):
    event = create_event(capacity=1)
    for n in range(1, 5):
        register(event, email=email(n))
    first, second, third, fourth = registrations()
    assert [seats.waitlist_position(r) for r in (first, second, third, fourth)] == [
        None,
        1,
        2,
        3,
    ]

    services.withdraw(third)  # someone in the middle leaves the queue
    assert [seats.waitlist_position(r) for r in registrations()] == [None, 1, None, 2]

    # Registrations made at the same instant keep the order in which they were stored.
    second.created_at = fourth.created_at
    db.session.commit()
    assert [seats.waitlist_position(r) for r in registrations()] == [None, 1, None, 2]
    fourth.created_at = second.created_at - timedelta(seconds=1)
    db.session.commit()
    assert [seats.waitlist_position(r) for r in registrations()] == [None, 2, None, 1]


def test_confirmed_registrant_cannot_add_more_people_than_seats_left(
    client, create_event, register
):
    event = create_event(capacity=3)
    token = personal_token(client, register(event, email=email(1), party_size="1"))
    register(event, email=email(2), party_size="1")

    response = client.post(f"/r/{token}", data=edit_data(party_size="3", first_name="Mariella"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Restano 2 posti in presenza" in error_for(html, "party_size")
    mine = by_email(email(1))
    assert (mine.party_size, mine.status, mine.first_name) == (1, confirmed, "Maria")
    assert seats_taken(event) == 2

    # Within the seats left the change is accepted.
    assert client.post(f"/r/{token}", data=edit_data(party_size="2")).status_code == 303
    assert by_email(email(1)).party_size == 2
    assert seats_taken(event) == 3


def test_reducing_the_party_gives_the_freed_seats_to_the_waiting_list(
    client, create_event, register
):
    event = create_event(capacity=3)
    token = personal_token(client, register(event, email=email(1), party_size="3"))
    register(event, email=email(2), party_size="2")
    register(event, email=email(3), party_size="1")
    assert statuses() == [confirmed, waitlisted, waitlisted]

    assert client.post(f"/r/{token}", data=edit_data(party_size="1")).status_code == 303

    assert statuses() == [confirmed, confirmed, waitlisted]
    assert by_email(email(1)).party_size == 1
    assert seats_taken(event) == 3


def test_waitlisted_registrant_switching_to_online_is_confirmed(client, create_event, register):
    event = create_event(capacity=1, online_url="https://meet.example.org/incontro")
    register(event, email=email(1))
    token = personal_token(client, register(event, email=email(2), party_size="2"))
    assert statuses() == [confirmed, waitlisted]

    response = client.post(f"/r/{token}", data=edit_data(attendance="online", party_size="2"))
    assert response.status_code == 303

    assert statuses() == [confirmed, confirmed]
    assert seats_taken(event) == 1
    assert "Confermata" in client.get(f"/r/{token}").get_data(as_text=True)


def test_waitlisted_registrant_editing_details_stays_waitlisted_while_the_room_is_full(
    client, create_event, register
):
    event = create_event(capacity=3)
    register(event, email=email(1), party_size="3")
    token = personal_token(client, register(event, email=email(2), party_size="2"))

    response = client.post(f"/r/{token}", data=edit_data(party_size="2", phone="0373 999999"))
    assert response.status_code == 303

    assert statuses() == [confirmed, waitlisted]
    assert seats_taken(event) <= 3


def test_unlimited_capacity_never_waitlists(client, create_event, register):
    event = create_event(capacity=None, max_party_size=10)
    for n in range(1, 21):
        assert register(event, email=email(n), party_size="10").status_code == 303
    assert set(statuses()) == {confirmed}
    assert seats_taken(event) == 200
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Iscrizioni aperte" in html
    assert "lista d'attesa" not in html and "Posti in presenza ancora disponibili" not in html


@pytest.mark.parametrize(
    ("settings", "heading"),
    [
        pytest.param({"is_registration_closed": True}, "Iscrizioni chiuse", id="organiser"),
        pytest.param(
            {"registration_closes_at": -timedelta(hours=1)}, "Iscrizioni chiuse", id="past-closing"
        ),
        pytest.param(
            {"registration_opens_at": timedelta(days=1)},
            "Iscrizioni non ancora aperte",
            id="not-yet-open",
        ),
        pytest.param({"status": EventStatus.cancelled}, "Evento annullato", id="event-cancelled"),
    ],
)
def test_closed_registration_refuses_submissions_and_stores_nothing(
    client, create_event, register, now, settings, heading
):
    event = create_event(
        capacity=10,
        **{
            key: now + value if isinstance(value, timedelta) else value
            for key, value in settings.items()
        },
    )
    page = client.get(f"/events/{event.slug}/register")
    assert page.status_code == 200
    for response in (page, register(event)):
        html = response.get_data(as_text=True)
        assert heading in html
        assert 'name="first_name"' not in html
    assert registrations() == []


def test_draft_event_takes_no_registrations(client, create_event, register):
    event = create_event(status=EventStatus.draft)
    assert client.get(f"/events/{event.slug}/register").status_code == 404
    assert register(event).status_code == 404
    assert registrations() == []
