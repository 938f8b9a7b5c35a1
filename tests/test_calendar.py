"""Calendar files and links: the event's .ics, the feed, SEQUENCE on changes, add-to-calendar."""

import html
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest

from eventsreg.events import services
from eventsreg.events.models import Event, EventStatus
from eventsreg.extensions import db

ROME = ZoneInfo("Europe/Rome")


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME)


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def vevents(body: bytes) -> list:
    return parse(body).walk("VEVENT")


def event_ics(client, event: Event):
    response = client.get(f"/events/{event.slug}/event.ics")
    assert response.status_code == 200, response.status_code
    return response


def the_vevent(client, event: Event):
    [vevent] = vevents(event_ics(client, event).data)
    return vevent


def reloaded(event: Event) -> Event:
    """The event as stored, after changes made in another session (the CLI's)."""
    db.session.expire_all()
    return db.session.get(Event, event.id)


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a href="([^"]*)"', page)]


def link_query(page: str, prefix: str) -> dict[str, list[str]]:
    [href] = [h for h in hrefs(page) if h.startswith(prefix)]
    return parse_qs(urlsplit(href).query)


# -- /events/<slug>/event.ics --------------------------------------------------------------


def test_event_ics_is_a_downloadable_calendar_file_named_after_the_slug(client, create_event):
    event = create_event(slug="incontro-crema")
    response = event_ics(client, event)
    assert response.mimetype == "text/calendar"
    assert response.mimetype_params == {"charset": "utf-8"}
    assert response.headers["Content-Disposition"] == 'attachment; filename="incontro-crema.ics"'


def test_calendar_responses_have_exactly_one_charset_in_content_type(client, create_event):
    event = create_event()
    for url in (f"/events/{event.slug}/event.ics", "/calendar.ics"):
        assert client.get(url).headers["Content-Type"] == "text/calendar; charset=utf-8", url


def test_event_ics_publishes_one_vevent_with_the_rome_timezone_defined(client, create_event):
    event = create_event(starts_at=rome(2030, 5, 7, 17), ends_at=rome(2030, 5, 7, 18, 30))
    body = event_ics(client, event).data
    cal = parse(body)
    assert cal["method"] == "PUBLISH"
    assert len(cal.walk("VEVENT")) == 1
    [tz] = cal.walk("VTIMEZONE")
    assert tz["tzid"] == "Europe/Rome"
    assert tz.walk("STANDARD") and tz.walk("DAYLIGHT")
    assert b"DTSTART;TZID=Europe/Rome:20300507T170000\r\n" in body
    assert b"DTEND;TZID=Europe/Rome:20300507T183000\r\n" in body
    vevent = cal.walk("VEVENT")[0]
    assert vevent.decoded("dtstart") == rome(2030, 5, 7, 17)
    assert vevent.decoded("dtstart").utcoffset() == timedelta(hours=2)
    assert vevent.decoded("dtend") == rome(2030, 5, 7, 18, 30)


def test_event_ics_carries_uid_stamp_sequence_and_the_event_details(client, create_event):
    event = create_event(
        slug="cer-crema",
        title="Comunità energetiche",
        venue_name="Sala Pietro da Cemmo",
        venue_address="Piazza Duomo 1, Crema",
        contact_email="info@example.org",
    )
    vevent = the_vevent(client, event)
    assert vevent["uid"] == f"event-{event.id}@127.0.0.1"
    assert isinstance(vevent.decoded("dtstamp"), datetime)
    assert vevent.decoded("sequence") == 0
    assert vevent["summary"] == "Comunità energetiche"
    assert vevent["location"] == "Sala Pietro da Cemmo, Piazza Duomo 1, Crema"
    assert vevent["url"] == "http://127.0.0.1:5000/events/cer-crema/"
    assert vevent["organizer"] == "mailto:info@example.org"
    assert vevent["status"] == "CONFIRMED"


def test_event_uid_is_the_same_on_every_download(client, create_event):
    event = create_event()
    first, second = the_vevent(client, event), the_vevent(client, event)
    assert first["uid"] == second["uid"] == f"event-{event.id}@127.0.0.1"


def test_event_ics_description_is_plain_text_from_the_markdown(client, create_event):
    event = create_event(
        summary="",
        description="Parliamo di **autoconsumo** e [incentivi](https://example.org/gse).",
    )
    description = str(the_vevent(client, event)["description"])
    assert "autoconsumo" in description and "incentivi" in description
    assert "https://example.org/gse" in description
    assert not re.search(r"<[^>]+>", description), description
    assert "**" not in description and "](" not in description


def test_draft_event_has_no_ics(client, create_event):
    event = create_event(status=EventStatus.draft)
    assert client.get(f"/events/{event.slug}/event.ics").status_code == 404


# -- daylight saving ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_day", "utc_hour"),
    [
        ((2023, 3, 24), 16),  # CET, before the spring change
        ((2023, 3, 28), 15),  # CEST, after it
        ((2023, 10, 27), 15),  # CEST, before the autumn change
        ((2023, 10, 31), 16),  # CET, after it
    ],
)
def test_17_rome_stays_17_rome_across_daylight_saving_changes(
    client, create_event, local_day, utc_hour
):
    event = create_event(starts_at=rome(*local_day, 17), ends_at=rome(*local_day, 18))
    body = event_ics(client, event).data
    y, m, d = local_day
    assert f"DTSTART;TZID=Europe/Rome:{y}{m:02}{d:02}T170000".encode() in body
    start = parse(body).walk("VEVENT")[0].decoded("dtstart")
    assert (start.astimezone(ROME).hour, start.astimezone(ROME).minute) == (17, 0)
    assert start == datetime(*local_day, utc_hour, tzinfo=UTC)
    assert start.astimezone(UTC).hour == utc_hour


# -- escaping and folding ---------------------------------------------------------------------


def test_special_characters_in_the_title_round_trip_exactly(client, create_event):
    title = "Energia, clima; C:\\dati\nseconda riga è à ù"
    event = create_event(title=title)
    body = event_ics(client, event).data
    [vevent] = vevents(body)
    assert vevent["summary"] == title
    assert b"Energia\\, clima\\; C:\\\\dati\\nseconda riga" in body
    assert "è à ù".encode() in body


def test_no_physical_line_is_longer_than_75_octets(client, create_event):
    title = "Perché è già così: " + "àèìòù " * 30
    event = create_event(
        title=title,
        venue_address="Via della Pace " + "molto lunga, " * 10 + "Crema",
        description="Un testo lungo con accenti: " + "così è più facile " * 20,
    )
    body = event_ics(client, event).data
    lines = body.split(b"\r\n")
    assert any(line.startswith(b" ") for line in lines), "nothing was folded"
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # folded between characters, never inside one
    assert the_vevent(client, event)["summary"] == title


# -- SEQUENCE ---------------------------------------------------------------------------------


def test_moving_an_event_raises_sequence_and_keeps_the_uid(client, create_event):
    event = create_event()
    before = the_vevent(client, event)
    assert services.change_event(
        event, starts_at=rome(2030, 5, 7, 17), ends_at=rome(2030, 5, 7, 18, 30)
    )
    after = the_vevent(client, event)
    assert after.decoded("sequence") == before.decoded("sequence") + 1 == 1
    assert after["uid"] == before["uid"]
    assert after.decoded("dtstart") == rome(2030, 5, 7, 17)


def test_changing_only_the_venue_raises_sequence(client, create_event):
    event = create_event()
    assert services.change_event(event, venue_name="Auditorium")
    vevent = the_vevent(client, event)
    assert vevent.decoded("sequence") == 1
    assert str(vevent["location"]).startswith("Auditorium, ")


def test_change_with_identical_values_does_not_raise_sequence(client, create_event):
    event = create_event(starts_at=rome(2030, 5, 7, 17), ends_at=rome(2030, 5, 7, 18, 30))
    assert not services.change_event(
        event,
        starts_at=rome(2030, 5, 7, 17),
        ends_at=datetime(2030, 5, 7, 16, 30, tzinfo=UTC),  # same instant, other zone
        venue_name=event.venue_name,
    )
    assert the_vevent(client, event).decoded("sequence") == 0


def test_changing_only_the_title_does_not_raise_sequence(client, create_event):
    event = create_event()
    assert not services.change_event(event, title="Nuovo titolo")
    vevent = the_vevent(client, event)
    assert vevent.decoded("sequence") == 0
    assert vevent["summary"] == "Nuovo titolo"


def test_cancelling_marks_the_event_cancelled_with_a_higher_sequence(client, create_event):
    event = create_event()
    uid = the_vevent(client, event)["uid"]
    services.cancel_event(event)
    vevent = the_vevent(client, event)
    assert vevent["status"] == "CANCELLED"
    assert vevent.decoded("sequence") == 1
    assert vevent["uid"] == uid


def test_cli_move_changes_the_time_and_raises_sequence(client, create_event, runner):
    event = create_event(slug="da-spostare")
    result = runner.invoke(
        args=[
            "events",
            "move",
            "da-spostare",
            "--start",
            "2030-05-07 17:00",
            "--end",
            "2030-05-07 18:30",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    assert "SEQUENCE 1" in result.output
    vevent = the_vevent(client, reloaded(event))
    assert vevent.decoded("sequence") == 1
    assert vevent.decoded("dtstart") == rome(2030, 5, 7, 17)
    assert vevent.decoded("dtend") == rome(2030, 5, 7, 18, 30)


def test_cli_cancel_marks_the_event_cancelled(client, create_event, runner):
    event = create_event(slug="da-annullare")
    result = runner.invoke(args=["events", "cancel", "da-annullare", "--yes"])
    assert result.exit_code == 0, result.output
    assert "cancelled" in result.output
    vevent = the_vevent(client, reloaded(event))
    assert vevent["status"] == "CANCELLED"
    assert vevent.decoded("sequence") == 1


@pytest.mark.parametrize(
    ("slug", "start", "end", "message"),
    [
        ("fisso", "2030-05-07 18:30", "2030-05-07 17:00", "end must come after the start"),
        ("fisso", "2030-05-07 17:00", "2030-05-07 17:00", "end must come after the start"),
        ("inesistente", "2030-05-07 17:00", "2030-05-07 18:30", "no event with slug"),
        ("fisso", "07/05/2030 17:00", "2030-05-07 18:30", "YYYY-MM-DD HH:MM"),
        ("fisso", "2030-05-07 17:00", "2030-05-07 25:00", "YYYY-MM-DD HH:MM"),
    ],
)
def test_cli_move_refuses_bad_input_and_changes_nothing(
    create_event, runner, slug, start, end, message
):
    event = create_event(slug="fisso")
    starts_at, ends_at = event.starts_at, event.ends_at
    result = runner.invoke(args=["events", "move", slug, "--start", start, "--end", end])
    assert result.exit_code != 0
    assert message in result.output
    event = reloaded(event)
    assert (event.starts_at, event.ends_at, event.ical_sequence) == (starts_at, ends_at, 0)


def test_cli_cancel_of_an_unknown_slug_fails_and_changes_nothing(create_event, runner):
    event = create_event()
    result = runner.invoke(args=["events", "cancel", "inesistente", "--yes"])
    assert result.exit_code != 0
    assert "no event with slug" in result.output
    event = reloaded(event)
    assert (event.status, event.ical_sequence) == (EventStatus.published, 0)


# -- the feed ---------------------------------------------------------------------------------


def test_feed_lists_public_events_of_the_last_year_and_never_drafts(client, create_event, now):
    wanted = {
        create_event(title="Prossimo").id,
        create_event(title="Annullato", status=EventStatus.cancelled).id,
        create_event(title="Di sei mesi fa", starts_at=now - timedelta(days=180)).id,
    }
    create_event(title="Bozza", status=EventStatus.draft)
    create_event(title="Di due anni fa", starts_at=now - timedelta(days=730))
    create_event(title="Finito da un anno e un giorno", starts_at=now - timedelta(days=367))

    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    items = vevents(response.data)
    assert {str(v["summary"]) for v in items} == {"Prossimo", "Annullato", "Di sei mesi fa"}
    assert sorted(str(v["uid"]) for v in items) == sorted(f"event-{i}@127.0.0.1" for i in wanted)
    assert {str(v["summary"]): str(v["status"]) for v in items}["Annullato"] == "CANCELLED"


def test_feed_is_named_after_the_site(client, create_event, app):
    create_event()
    cal = parse(client.get("/calendar.ics").data)
    assert cal["x-wr-calname"] == app.config["SITE_NAME"]
    assert cal["name"] == app.config["SITE_NAME"]
    assert cal["method"] == "PUBLISH"


def test_feed_refresh_interval_names_its_value_type(client, create_event):
    create_event()
    body = client.get("/calendar.ics").data.decode()
    # RFC 7986, 5.7: REFRESH-INTERVAL;VALUE=DURATION:PT1H (clients ignore it otherwise).
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert parse(body.encode())["refresh-interval"].dt == timedelta(hours=1)


def test_feed_has_validators_and_answers_304_to_a_matching_etag(client, create_event):
    create_event()
    response = client.get("/calendar.ics")
    etag = response.headers["ETag"]
    assert etag and response.headers["Last-Modified"]
    again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


def test_feed_answers_304_to_if_modified_since_equal_to_last_modified(client, create_event):
    create_event()
    last_modified = client.get("/calendar.ics").headers["Last-Modified"]
    again = client.get("/calendar.ics", headers={"If-Modified-Since": last_modified})
    assert again.status_code == 304
    assert again.data == b""


def test_feed_answers_200_to_if_modified_since_older_than_last_modified(client, create_event):
    event = create_event()
    earlier = format_datetime(event.updated_at - timedelta(minutes=1), usegmt=True)
    response = client.get("/calendar.ics", headers={"If-Modified-Since": earlier})
    assert response.status_code == 200
    assert len(vevents(response.data)) == 1


def test_feed_etag_changes_when_an_event_moves(client, create_event):
    event = create_event()
    old_etag = client.get("/calendar.ics").headers["ETag"]
    services.change_event(event, ends_at=event.ends_at + timedelta(hours=1))
    response = client.get("/calendar.ics", headers={"If-None-Match": old_etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != old_etag
    [vevent] = vevents(response.data)
    assert vevent.decoded("sequence") == 1


def test_index_offers_a_webcal_subscription_to_the_feed(client, create_event):
    create_event()
    links = hrefs(client.get("/").get_data(as_text=True))
    webcal = [h for h in links if h.startswith("webcal://")]
    assert webcal and urlsplit(webcal[0]).path == "/calendar.ics"


# -- add to calendar ----------------------------------------------------------------------------


def test_event_page_offers_ics_google_and_outlook_links_in_utc(client, create_event, now):
    year = now.year + 2  # in the future, so that the page offers the links
    event = create_event(
        starts_at=rome(year, 12, 13, 17), ends_at=rome(year, 12, 13, 18, 30), title="Energia"
    )
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Aggiungi al calendario" in page
    assert f"/events/{event.slug}/event.ics" in hrefs(page)

    google = link_query(page, "https://calendar.google.com/")
    assert google["dates"] == [f"{year}1213T160000Z/{year}1213T173000Z"]
    assert google["text"] == ["Energia"]
    assert google["ctz"] == ["Europe/Rome"]

    outlook = link_query(page, "https://outlook.live.com/")
    assert outlook["startdt"] == [f"{year}-12-13T16:00:00Z"]
    assert outlook["enddt"] == [f"{year}-12-13T17:30:00Z"]
    assert outlook["subject"] == ["Energia"]


def test_google_link_uses_the_summer_utc_offset(client, create_event, now):
    year = now.year + 2
    event = create_event(starts_at=rome(year, 7, 8, 17), ends_at=rome(year, 7, 8, 18, 30))
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    google = link_query(page, "https://calendar.google.com/")
    assert google["dates"] == [f"{year}0708T150000Z/{year}0708T163000Z"]
    outlook = link_query(page, "https://outlook.live.com/")
    assert outlook["startdt"] == [f"{year}-07-08T15:00:00Z"]


def test_past_event_page_does_not_offer_add_to_calendar(client, create_event, now):
    event = create_event(starts_at=now - timedelta(days=3))
    page = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Aggiungi al calendario" not in page
    assert not any(h.startswith("https://calendar.google.com/") for h in hrefs(page))


def test_cancelled_event_page_does_not_offer_add_to_calendar(client, create_event):
    event = create_event(status=EventStatus.cancelled)
    response = client.get(f"/events/{event.slug}/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Aggiungi al calendario" not in page
    assert f"/events/{event.slug}/event.ics" not in hrefs(page)


def test_feed_is_not_reported_unchanged_after_an_event_is_withdrawn(client, create_event):
    # Last edited an hour ago: HTTP dates have whole seconds, and the change below must
    # not fall within the same second as the first download.
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    create_event(title="Resta", updated_at=hour_ago)
    withdrawn = create_event(title="Ritirato", updated_at=hour_ago)
    last_modified = client.get("/calendar.ics").headers["Last-Modified"]
    services.change_event(withdrawn, status=EventStatus.draft)
    response = client.get("/calendar.ics", headers={"If-Modified-Since": last_modified})
    assert response.status_code == 200
    assert [str(v["summary"]) for v in vevents(response.data)] == ["Resta"]
