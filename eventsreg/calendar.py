"""iCalendar data: the one module that builds .ics files and calendar links.

Every event has one UID for life (``event-<id>@<domain>``); each change of time, place or
status raises its SEQUENCE, so that calendars replace the entry they hold.
"""

import functools
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import icalendar
from flask import current_app

from .markdown import markdown_to_text
from .urls import external_url, service_domain

PRODID = "-//eventsreg//Eventi//IT"
#: The METHODs of the calendar messages sent by email (RFC 5546): an invitation, and its
#: cancellation.
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    #: Takes part online: their copy's place is the meeting link, not the room.
    online: bool = False


def event_uid(event) -> str:
    return f"event-{event.id}@{service_domain()}"


def location(event) -> str:
    """Where the event takes place, as one line."""
    parts = [p for p in (event.venue_name, event.venue_address) if p]
    if not parts and event.online_url:
        return "Online"
    return ", ".join(parts)


def _description(event, page_url: str, extra: str = "") -> str:
    text = event.text("summary") or markdown_to_text(event.text("description"))
    return "\n\n".join(part for part in (text, extra, page_url) if part)


def _vevent(
    event,
    *,
    sequence: int,
    attendee: Attendee | None,
    extra: str,
    now: datetime,
    method: str | None,
):
    page_url = external_url("events.detail", slug=event.slug)
    online = attendee is not None and attendee.online and bool(event.online_url)
    if online:
        extra = "\n\n".join(part for part in (extra, f"Online: {event.online_url}") if part)
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("sequence", sequence)
    vevent.add("dtstamp", now)
    vevent.add("last-modified", event.updated_at)
    vevent.add("dtstart", event.local_start)
    vevent.add("dtend", event.local_end)
    vevent.add("summary", event.text("title"))
    vevent.add("description", _description(event, page_url, extra))
    if loc := (event.online_url if online else location(event)):
        vevent.add("location", loc)
    vevent.add("url", page_url)
    if event.is_cancelled:
        vevent.add("status", "CANCELLED")
    elif method != CANCEL:
        vevent.add("status", "CONFIRMED")
    # else: one registrant's copy withdrawn while the event goes on. RFC 5546, 3.2.5: a
    # CANCEL that removes attendees MUST NOT carry STATUS (STATUS:CANCELLED cancels the
    # whole event, which would tell the reader the meeting itself is off). METHOD:CANCEL
    # with the event's UID, a higher SEQUENCE and the registrant as ATTENDEE is what
    # calendar clients act on to remove the entry.
    vevent.add("transp", "OPAQUE")
    if event.contact_email:
        organizer = icalendar.vCalAddress(f"mailto:{event.contact_email}")
        organizer.params["cn"] = icalendar.vText(
            event.organizers.splitlines()[0]
            if event.organizers
            else current_app.config["SITE_NAME"]
        )
        vevent.add("organizer", organizer)
    if attendee is not None:
        address = icalendar.vCalAddress(f"mailto:{attendee.email}")
        address.params.update(
            {
                "cn": icalendar.vText(attendee.name),
                "role": "REQ-PARTICIPANT",
                "partstat": "ACCEPTED",
                "rsvp": "FALSE",
            }
        )
        vevent.add("attendee", address)
    return vevent


def build_calendar(
    events,
    *,
    method: str | None = None,
    name: str | None = None,
    attendee: Attendee | None = None,
    extra_sequence: int = 0,
    extra_description: str = "",
    now: datetime | None = None,
) -> bytes:
    """An iCalendar file with one VEVENT per event and a VTIMEZONE for each zone used.

    :param method: ``REQUEST`` or ``CANCEL`` for invitations sent by email, ``PUBLISH``
        for downloads and feeds.
    :param attendee: the registrant an invitation is addressed to.
    :param extra_sequence: added to each event's own SEQUENCE (a registrant's copy is
        cancelled and re-sent independently of the event).
    """
    events = list(events)
    cal = calendar_of(
        events,
        method=method,
        name=name,
        attendee=attendee,
        extra_sequence=extra_sequence,
        extra_description=extra_description,
        now=now,
    )
    body = cal.to_ical()
    if events:
        first, last = timezone_span(events)
        body = _with_timezones(body, cal.get_missing_tzids(), first, last)
    return body


def timezone_span(events) -> tuple[date, date]:
    """The dates the VTIMEZONEs cover: the years the events span (one year of margin each
    side), so that clients never have to guess the zone's offsets (Outlook shifts times
    if they do)."""
    first = min(e.local_start for e in events).date() - timedelta(days=366)
    last = max(e.local_end for e in events).date() + timedelta(days=366)
    return first, last


def calendar_of(
    events,
    *,
    method: str | None = None,
    name: str | None = None,
    attendee: Attendee | None = None,
    extra_sequence: int = 0,
    extra_description: str = "",
    now: datetime | None = None,
) -> icalendar.Calendar:
    """The calendar ``build_calendar`` serialises, without its VTIMEZONEs."""
    now = now or datetime.now().astimezone()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("name", name)
        cal.add("x-wr-calname", name)
        # RFC 7986, 5.7: the value type must be given (VALUE=DURATION).
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    for event in events:
        cal.add_component(
            _vevent(
                event,
                sequence=event.ical_sequence + extra_sequence,
                attendee=attendee,
                extra=extra_description,
                now=now,
                method=method,
            )
        )
    return cal


def _with_timezones(body: bytes, tzids, first: date, last: date) -> bytes:
    """*body* with a VTIMEZONE for each of *tzids* before its first component: the bytes
    of ``cal.add_missing_timezones(first_date=first, last_date=last)`` then ``to_ical()``,
    each VTIMEZONE built and serialised once per zone and span of dates (the same for
    every invitation to an event; the feed's span moves with its events)."""
    zones = b"".join(_timezone(tzid, first, last) for tzid in tzids)
    if not zones:
        return body
    # A line beginning a component: a folded line begins with a space, a value's line
    # breaks are escaped, so this is the calendar's first component.
    at = body.index(b"\r\nBEGIN:VEVENT\r\n") + 2
    return body[:at] + zones + body[at:]


@functools.lru_cache(maxsize=128)
def _timezone(tzid: str, first: date, last: date) -> bytes:
    """The VTIMEZONE of *tzid* with its rules from *first* to *last*, serialised; empty
    for a zone icalendar does not know (``add_missing_timezones`` leaves it out too)."""
    try:
        return icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()
    except ValueError:
        return b""


def feed_etag(rows) -> str:
    """An ETag for the feed from (id, updated_at, sequence) rows: it changes with any event."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:32]


def google_calendar_url(event) -> str:
    """A link that opens Google Calendar with the event filled in (times in UTC)."""
    start = event.starts_at.strftime("%Y%m%dT%H%M%SZ")
    end = event.ends_at.strftime("%Y%m%dT%H%M%SZ")
    params = {
        "action": "TEMPLATE",
        "text": event.text("title"),
        "dates": f"{start}/{end}",
        "details": _description(event, external_url("events.detail", slug=event.slug)),
        "location": location(event),
        "ctz": event.timezone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def outlook_calendar_url(event) -> str:
    """A link that opens Outlook.com's new-event form with the event filled in (UTC)."""
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.text("title"),
        "startdt": event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": event.ends_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": _description(event, external_url("events.detail", slug=event.slug)),
        "location": location(event),
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(params)
