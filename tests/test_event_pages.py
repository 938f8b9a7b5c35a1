"""The public pages: the event list, an event's page, languages, health and error pages."""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from eventsreg.events.models import EventStatus

from .helpers import registrations


def section(html: str, heading_id: str) -> str:
    """The <section> labelled by the heading with *heading_id*, or '' when absent."""
    match = re.search(
        rf'<section aria-labelledby="{re.escape(heading_id)}">(.*?)</section>', html, re.S
    )
    return match.group(1) if match else ""


def description(html: str) -> str:
    match = re.search(r'<div class="description">(.*?)</div>', html, re.S)
    assert match, "no description on the page"
    return match.group(1)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    """Every start tag in *html* with its attributes, as a browser would parse them."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- the event list --------------------------------------------------------------------------


def test_index_lists_upcoming_soonest_first_and_past_events_in_the_archive(
    client, create_event, now
):
    create_event(title="Fra due settimane", starts_at=now + timedelta(days=14))
    create_event(title="Fra tre giorni", starts_at=now + timedelta(days=3))
    create_event(title="Fra una settimana", starts_at=now + timedelta(days=7))
    create_event(title="Mese scorso", starts_at=now - timedelta(days=30))
    create_event(title="Settimana scorsa", starts_at=now - timedelta(days=7))

    html = client.get("/").get_data(as_text=True)
    upcoming = section(html, "upcoming-title")
    archive = section(html, "archive-title")
    assert re.findall(r"Fra [a-z ]+", upcoming) == [
        "Fra tre giorni",
        "Fra una settimana",
        "Fra due settimane",
    ]
    assert "Archivio" in archive
    assert re.findall(r"(?:Mese|Settimana) scors[ao]", archive) == [
        "Settimana scorsa",
        "Mese scorso",
    ]
    assert "scors" not in upcoming


def test_index_without_past_events_has_no_archive_section(client, create_event):
    create_event(title="Prossimo incontro")
    html = client.get("/").get_data(as_text=True)
    assert "Prossimo incontro" in section(html, "upcoming-title")
    assert "Archivio" not in html


def test_index_with_nothing_upcoming_says_so(client, create_event, now):
    create_event(title="Vecchio incontro", starts_at=now - timedelta(days=3))
    html = client.get("/").get_data(as_text=True)
    assert "non ci sono eventi in programma" in section(html, "upcoming-title")
    assert "Vecchio incontro" in section(html, "archive-title")


def test_drafts_are_never_listed_and_their_page_is_not_found(client, create_event, now):
    create_event(title="Bozza futura", slug="bozza-futura", status=EventStatus.draft)
    create_event(
        title="Bozza passata",
        slug="bozza-passata",
        status=EventStatus.draft,
        starts_at=now - timedelta(days=10),
    )
    html = client.get("/").get_data(as_text=True)
    assert "Bozza futura" not in html and "Bozza passata" not in html
    assert "bozza-" not in html
    for slug in ("bozza-futura", "bozza-passata"):
        assert client.get(f"/events/{slug}/").status_code == 404
        assert client.get(f"/events/{slug}/register").status_code == 404


def test_cancelled_event_is_listed_and_shown_as_cancelled(client, create_event):
    event = create_event(title="Incontro annullato", status=EventStatus.cancelled)
    listed = section(client.get("/").get_data(as_text=True), "upcoming-title")
    assert "Incontro annullato" in listed and "badge-cancelled" in listed

    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Evento annullato" in html
    assert "Questo evento è stato annullato." in html
    assert f"/events/{event.slug}/register" not in html  # no "Iscriviti" button


def test_cancelled_event_refuses_registration(client, create_event, register):
    event = create_event(status=EventStatus.cancelled)
    page = client.get(f"/events/{event.slug}/register")
    assert "Evento annullato" in page.get_data(as_text=True)
    assert 'name="first_name"' not in page.get_data(as_text=True)

    response = register(event)
    assert "Evento annullato" in response.get_data(as_text=True)
    assert registrations() == []


# -- an event's page -------------------------------------------------------------------------


def test_event_page_shows_title_italian_date_venue_and_organisers(client, create_event):
    event = create_event(
        title="Fondare una Comunità Energetica",
        summary="Incontro per le aziende",
        starts_at=utc(2022, 12, 13, 16, 0),
        ends_at=utc(2022, 12, 13, 17, 30),
        timezone="Europe/Rome",
        venue_name="Sala conferenze di Consorzio.IT",
        venue_address="Via del Commercio 29, 26013 Crema (CR)",
        organizers="Consorzio.IT\n\nREI – Reindustria Innovazione\n  \nAssociazioni di categoria\n",
    )
    response = client.get(f"/events/{event.slug}/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="it">' in html
    assert "<h1>Fondare una Comunità Energetica</h1>" in html
    assert "Incontro per le aziende" in html
    assert "martedì 13 dicembre 2022, 17:00–18:30" in html
    assert 'datetime="2022-12-13T17:00:00+01:00"' in html
    assert "Sala conferenze di Consorzio.IT" in html
    assert "Via del Commercio 29, 26013 Crema (CR)" in html
    organisers = section(html, "organizers-title")
    assert re.findall(r"<li>(.*?)</li>", organisers) == [
        "Consorzio.IT",
        "REI – Reindustria Innovazione",
        "Associazioni di categoria",
    ]
    # Over by now: registration is closed.
    assert "Iscrizioni chiuse" in html
    assert "Iscrizioni aperte fino a" not in html


def test_open_event_says_when_registration_closes_and_links_to_the_form(client, create_event):
    event = create_event(
        starts_at=utc(2099, 6, 10, 15, 0),
        ends_at=utc(2099, 6, 10, 17, 0),
        registration_closes_at=utc(2099, 6, 9, 10, 0),
        capacity=40,
    )
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Iscrizioni aperte" in html
    assert "Iscrizioni aperte fino a martedì 9 giugno 2099 alle ore 12:00." in html
    assert "Posti in presenza ancora disponibili: 40." in html
    assert f'href="/events/{event.slug}/register"' in html


def test_registration_closes_at_the_start_when_no_closing_time_is_set(client, create_event):
    event = create_event(starts_at=utc(2099, 1, 13, 8, 30), ends_at=utc(2099, 1, 13, 10, 0))
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Iscrizioni aperte fino a martedì 13 gennaio 2099 alle ore 09:30." in html


def test_event_page_shows_registration_not_yet_open(client, create_event):
    event = create_event(registration_opens_at=utc(2099, 1, 1, 9, 0), starts_at=utc(2099, 2, 1, 9))
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "Iscrizioni non ancora aperte" in html
    assert "Le iscrizioni si aprono giovedì 1 gennaio 2099 alle ore 10:00." in html
    assert f'href="/events/{event.slug}/register"' not in html


def test_multi_day_event_shows_both_dates(client, create_event):
    event = create_event(starts_at=utc(2022, 12, 13, 8, 0), ends_at=utc(2022, 12, 14, 16, 0))
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "martedì 13 dicembre 2022, 09:00 – mercoledì 14 dicembre 2022, 17:00" in html


@pytest.mark.parametrize(
    ("starts_at", "expected"),
    [
        # Summer time started on 26 March 2023: Rome is UTC+2 after, UTC+1 before.
        (utc(2023, 3, 28, 15, 0), "martedì 28 marzo 2023, 17:00–18:30"),
        (utc(2023, 3, 24, 16, 0), "venerdì 24 marzo 2023, 17:00–18:30"),
        # and ended on 29 October 2023.
        (utc(2023, 10, 27, 15, 0), "venerdì 27 ottobre 2023, 17:00–18:30"),
        (utc(2023, 10, 31, 16, 0), "martedì 31 ottobre 2023, 17:00–18:30"),
    ],
)
def test_local_times_are_right_on_both_sides_of_a_daylight_saving_change(
    client, create_event, starts_at, expected
):
    event = create_event(starts_at=starts_at)
    assert expected in client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert expected in client.get("/").get_data(as_text=True)


def test_event_in_another_time_zone_is_shown_in_its_own_zone(client, create_event):
    event = create_event(
        starts_at=utc(2022, 12, 13, 16, 0),
        ends_at=utc(2022, 12, 13, 17, 0),
        timezone="America/New_York",
    )
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "martedì 13 dicembre 2022, 11:00–12:00" in html
    assert "America/New_York" in html


def test_description_markdown_is_rendered(client, create_event):
    event = create_event(
        description="Un incontro **importante**:\n\n- primo punto\n- secondo punto\n\n"
        "Dettagli su [il sito](https://example.org/cer) oppure scrivi a "
        "[noi](mailto:eventi@example.org)."
    )
    html = description(client.get(f"/events/{event.slug}/").get_data(as_text=True))
    assert "<strong>importante</strong>" in html
    assert "<li>primo punto</li>" in html and "<li>secondo punto</li>" in html
    links = {attrs["href"]: attrs for tag, attrs in elements(html) if tag == "a"}
    assert set(links) == {"https://example.org/cer", "mailto:eventi@example.org"}
    for attrs in links.values():
        assert "noopener" in attrs["rel"].split()


def test_description_is_sanitised(client, create_event):
    event = create_event(
        description="**Ciao** <script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        '<p onclick="alert(2)">clic</p>\n\n'
        "[trappola](javascript:alert(3)) [maiuscola](JaVaScRiPt:alert(4))\n\n"
        '<a href="javascript:alert(5)">grezzo</a>\n\n'
        "![immagine](https://evil.example/x.png)\n\n"
        "<javascript:alert(6)>\n\n"
        "- resta\n\n[buono](https://example.org)"
    )
    html = description(client.get(f"/events/{event.slug}/").get_data(as_text=True))
    found = elements(html)
    tags = {tag for tag, _ in found}
    assert tags <= {"p", "strong", "ul", "li", "a"}, tags
    for tag, attrs in found:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "javascript:" not in attrs.get("href", "").lower(), attrs
    assert [attrs["href"] for tag, attrs in found if tag == "a"] == ["https://example.org"]
    # What was kept is still there.
    assert "<strong>Ciao</strong>" in html and "<li>resta</li>" in html


def test_event_page_escapes_title_summary_and_organisers(client, create_event):
    event = create_event(
        title="<script>alert(1)</script> Incontro",
        summary="<b>grassetto</b>",
        organizers="<img src=x onerror=alert(1)>",
    )
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Incontro" in html
    assert "&lt;b&gt;grassetto&lt;/b&gt;" in html
    assert "<li>&lt;img src=x onerror=alert(1)&gt;</li>" in html
    assert "<script>alert" not in html


# -- languages -------------------------------------------------------------------------------


def test_switching_to_english_goes_back_to_the_page_with_english_dates(client, create_event):
    event = create_event(starts_at=utc(2022, 12, 13, 16, 0), ends_at=utc(2022, 12, 13, 17, 30))
    page = f"/events/{event.slug}/"
    italian = client.get(page).get_data(as_text=True)
    assert '<html lang="it">' in italian
    assert "martedì 13 dicembre 2022, 17:00–18:30" in italian
    assert f'href="/lang/en?next={page}"' in italian

    response = client.get(f"/lang/en?next={page}")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == page

    html = client.get(page).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Tuesday 13 December 2022, 17:00–18:30" in html
    assert "martedì" not in html
    # The choice is remembered for the following pages, and can be undone.
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    client.get("/lang/it?next=/")
    assert "martedì 13 dicembre 2022" in client.get(page).get_data(as_text=True)


def test_unknown_language_is_ignored(client, create_event):
    event = create_event(starts_at=utc(2022, 12, 13, 16, 0))
    client.get("/lang/en")
    response = client.get(f"/lang/xx?next=/events/{event.slug}/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/events/{event.slug}/"
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert '<html lang="en">' in html  # the earlier choice stands
    client.get("/lang/it")
    client.get("/lang/xx")
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    assert '<html lang="it">' in html
    assert "martedì 13 dicembre 2022" in html


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/events/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.scheme in ("", "http")
    assert location.path == "/"
    assert "evil" not in response.headers["Location"]


def test_language_switch_without_next_goes_to_the_event_list(client):
    response = client.get("/lang/en")
    assert urlsplit(response.headers["Location"]).path == "/"


def test_language_switch_keeps_the_query_string_of_a_local_page(client):
    response = client.get("/lang/en", query_string={"next": "/?page=2"})
    assert response.headers["Location"].endswith("/?page=2")


# -- health and errors -----------------------------------------------------------------------


def test_healthz_reports_database_ok_as_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_unknown_url_returns_italian_404_page(client):
    response = client.get("/non-esiste/affatto")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert '<html lang="it">' in html
    assert "Pagina non trovata" in html
    assert "Codice errore: 404" in html


def test_unknown_event_returns_404_page(client):
    response = client.get("/events/non-esiste/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.get_data(as_text=True)


def test_wrong_method_returns_405_page(client):
    response = client.post("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 405
    assert "Operazione non consentita" in html
    assert "Codice errore: 405" in html


def test_405_page_says_which_methods_are_allowed(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "GET" in response.headers.get("Allow", "")


def test_error_page_follows_the_chosen_language(client):
    client.get("/lang/en")
    html = client.get("/nope").get_data(as_text=True)
    assert '<html lang="en">' in html
