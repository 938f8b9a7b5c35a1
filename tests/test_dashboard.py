"""The event dashboard: key figures, registrations per day, answers summed up, the CER panel."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from eventsreg.demo import seed_demo
from eventsreg.events.models import Event, FieldUse, QuestionKind, Registrants
from eventsreg.extensions import db
from eventsreg.organizer import charts, stats
from eventsreg.registrations import checkin, services
from eventsreg.registrations.models import AttendanceMode, Registration, RegistrationStatus

from .conftest import choices
from .helpers import content_svgs, registrations

VAT_A, VAT_B, VAT_C, VAT_D, VAT_E = (
    "00743110157",
    "01234560157",
    "07654320196",
    "01111110159",
    "02222220150",
)


def text(html: str) -> str:
    """The page's text with tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# -- reading the page ------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def elements(self) -> list["Node"]:
        return [child for child in self.children if isinstance(child, Node)]

    def text(self) -> str:
        parts = [c.text() if isinstance(c, Node) else c for c in self.children]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list["Node"]:
        """Descendants with *tag*, class *cls* and *attrs*, in document order."""
        found = []
        for child in self.elements:
            if (
                (tag is None or child.tag == tag)
                and (cls is None or cls in child.classes)
                and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
            ):
                found.append(child)
            found.extend(child.all(tag, cls, **attrs))
        return found

    def one(self, tag: str | None = None, cls: str | None = None, **attrs) -> "Node":
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls} {attrs}> found"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    """*html* as a tree of elements, as a browser would read it (near enough for tests)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class Card:
    label: str
    value: str
    #: Where the figure links to, or None.
    href: str | None
    #: The link beside a figure that is not a number of registrations: (text, href).
    related: tuple[str, str] | None


def cards(html: str) -> dict[str, Card]:
    """The key figures' cards by their label."""
    found = {}
    for item in parse(html).one("ul", "dashboard-figures").all("li"):
        card = item.one(cls="card")
        link = card.all("a", "figure-link")
        related = card.all("a", "figure-related")
        label = card.one(cls="figure-label").text()
        found[label] = Card(
            label=label,
            value=card.one(cls="figure-value").text(),
            href=link[0].attrs["href"] if link else None,
            related=(related[0].text(), related[0].attrs["href"]) if related else None,
        )
    return found


def stat(html: str, term: str) -> str:
    """The value of the card labelled *term*."""
    found = cards(html)
    assert term in found, f"no figure «{term}» on the page, only {sorted(found)}"
    return found[term].value


def listed(client, href: str) -> int:
    """How many registrations the registrations list at *href* says it shows."""
    response = client.get(href)
    assert response.status_code == 200, href
    match = re.search(
        r"(\d+) (?:iscrizion[ei]|registrations?) (?:corrispond|in tutto|match|in total)",
        text(response.get_data(as_text=True)),
    )
    assert match, f"no result line on {href}"
    return int(match.group(1))


def listed_emails(client, href: str, emails) -> set[str]:
    """Those of *emails* that the registrations list at *href* shows."""
    # Tags removed without a space: an address may be broken with <wbr> to wrap.
    page = re.sub(r"<[^>]+>", "", client.get(href).get_data(as_text=True))
    return {email for email in emails if email in page}


def question_section(html: str, question) -> Node:
    return parse(html).one("section", aria_labelledby=f"qs-{question.id}")


def registration_by_email(email: str) -> Registration:
    return next(r for r in registrations() if r.email == email)


@pytest.fixture
def dashboard(client, create_organizer, sign_in):
    """GET the dashboard of *event* as one of its organisers; returns the HTML."""
    signed_in = set()

    def get(event: Event) -> str:
        if event.id not in signed_in:
            sign_in(create_organizer(f"org{event.id}@example.org", events=[event]))
            signed_in.add(event.id)
        response = client.get(f"/organizer/events/{event.slug}/")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return get


# -- access ----------------------------------------------------------------------------------


def test_signed_out_visitor_is_sent_to_sign_in(client, create_event):
    event = create_event()
    response = client.get(f"/organizer/events/{event.slug}/")
    assert response.status_code == 302
    assert "/organizer/login" in response.headers["Location"]


def test_another_organisers_event_is_not_found(client, create_event, create_organizer, sign_in):
    mine, theirs = create_event(), create_event()
    create_organizer("altro@example.org", events=[theirs])
    sign_in(create_organizer(events=[mine]))
    assert client.get(f"/organizer/events/{theirs.slug}/").status_code == 404
    assert client.get(f"/organizer/events/{mine.slug}/").status_code == 200


# -- counts ----------------------------------------------------------------------------------


@pytest.fixture
def mixed(create_event, register):
    """An event with a registration in each status and way of taking part: capacity 4, a
    party of three checked in, a party of two waiting, online, interest only, withdrawn,
    awaiting approval and rejected."""
    event = create_event(capacity=4, online_url="https://meet.example.org/x")
    register(event, email="gruppo@example.com", party_size="3")
    # 2 > 1 seat left: the whole party waits (their choice, asked by the form).
    register(event, email="attesa@example.com", party_size="2", party_choice="waitlist")
    register(event, email="online@example.com", attendance="online")
    register(event, email="interesse@example.com", attendance="not_attending", party_size="")
    register(event, email="ritirata@example.com", attendance="online")
    services.withdraw(registration_by_email("ritirata@example.com"))
    event.requires_approval = True
    db.session.commit()
    register(event, email="attende@example.com", attendance="online")
    register(event, email="rifiutata@example.com", attendance="online")
    services.reject(registration_by_email("rifiutata@example.com"))
    checkin.check_in(registration_by_email("gruppo@example.com"))
    return event


def test_counts_by_status_attendance_seats_and_check_in(mixed):
    counts = stats.counts(mixed)
    assert counts.by_status == {
        RegistrationStatus.confirmed: 3,
        RegistrationStatus.waitlisted: 1,
        RegistrationStatus.pending: 1,
        RegistrationStatus.cancelled: 1,
        RegistrationStatus.rejected: 1,
    }
    # Withdrawn and rejected registrations no longer count among those taking part.
    assert counts.by_attendance == {
        AttendanceMode.in_person: 2,
        AttendanceMode.online: 2,
        AttendanceMode.not_attending: 1,
    }
    assert (counts.people_in_person, counts.confirmed_in_person) == (3, 1)
    assert (counts.seats_left, counts.checked_in, counts.total) == (1, 1, 7)


def test_the_cards_are_counted_by_sql_aggregates_without_reading_registrations(mixed):
    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.lower().split()))

    db.session.refresh(mixed)  # the event's own row is read before counting
    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        stats.counts(mixed)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    selects = [s for s in statements if s.startswith("select")]
    assert len(selects) == 2  # by status and attendance; people confirmed in person
    for statement in selects:
        columns = statement.split(" from ")[0]
        assert "count(" in columns or "sum(" in columns, statement
        assert "registrations.email" not in columns, statement


def test_the_cards_show_the_figures(mixed, dashboard):
    shown = {label: card.value for label, card in cards(dashboard(mixed)).items()}
    assert shown == {
        "Confermate": "3",
        "In lista d'attesa": "1",
        "In attesa di approvazione": "1",
        "In presenza": "2",
        "Online": "2",
        "Solo manifestazione di interesse": "1",
        "Persone attese in presenza": "3",
        "Posti liberi": "1 su 4",
        "Registrati all'ingresso": "1",
        "Ritirate": "1",
        "Non accettate": "1",
        "Totale": "7",
    }


def test_each_cards_link_lists_as_many_registrations_as_it_shows(mixed, dashboard, client):
    found = cards(dashboard(mixed))
    linked = {label: card for label, card in found.items() if card.href}
    # Seats and people are not numbers of registrations: they do not link as if they were.
    assert set(found) - set(linked) == {"Persone attese in presenza", "Posti liberi"}
    for label, card in linked.items():
        assert urlsplit(card.href).path == f"/organizer/events/{mixed.slug}/registrations"
        assert listed(client, card.href) == int(card.value), label
    assert parse_qs(urlsplit(linked["Online"].href).query) == {
        "status": ["active"],
        "attendance": ["online"],
    }
    # The people expected link the registrations they come with, counted as such.
    words, href = found["Persone attese in presenza"].related
    assert words == "1 iscrizione confermata in presenza"
    assert listed(client, href) == 1
    assert listed_emails(client, href, ["gruppo@example.com", "attesa@example.com"]) == {
        "gruppo@example.com"
    }


def test_cards_of_what_the_event_cannot_have_are_left_out_while_empty(
    create_event, register, dashboard
):
    event = create_event(capacity=None)
    register(event, party_size="2")
    found = cards(dashboard(event))
    assert found["Posti liberi"].value == "senza limite"
    assert found["Persone attese in presenza"].value == "2"
    # No capacity, no approval, no online link: no waiting list, pending, online or
    # rejected cards.
    assert not {
        "In lista d'attesa",
        "In attesa di approvazione",
        "Online",
        "Non accettate",
    } & set(found)
    assert stats.counts(event).seats_left is None


def test_the_english_dashboard_has_the_same_cards_and_links(mixed, dashboard, client):
    dashboard(mixed)  # signs in
    assert client.get("/lang/en?next=/").status_code in (302, 303)
    html = dashboard(mixed)
    assert '<html lang="en"' in html
    found = cards(html)
    assert found["In person"].value == "2"
    assert found["Places left"].value == "1 of 4"
    assert found["Total"].value == "7"
    for label, card in found.items():
        if card.href:
            assert listed(client, card.href) == int(card.value), label


# -- registrations per day -------------------------------------------------------------------


def register_at(event: Event, email: str, moment: datetime, vat: str = VAT_A, **answers):
    data = services.RegistrationData(
        first_name="Anna",
        last_name="Neri",
        company_name=f"Azienda {email.split('@')[0]}",
        attendance=AttendanceMode.online,
        party_size=1,
        email=email,
        vat_number=vat,
        answers=answers,
    )
    return services.register(event, data, now=moment).registration


def test_registrations_per_day_are_counted_in_the_events_zone_across_midnight(create_event):
    event = create_event(online_url="https://meet.example.org/x")
    # 22:30 UTC is 23:30 in Rome (winter time), 23:30 UTC is already the next day there.
    register_at(event, "a@example.com", datetime(2025, 3, 10, 22, 30, tzinfo=UTC))
    register_at(event, "b@example.com", datetime(2025, 3, 10, 23, 30, tzinfo=UTC))
    register_at(event, "c@example.com", datetime(2025, 3, 11, 9, 0, tzinfo=UTC))
    register_at(event, "d@example.com", datetime(2025, 3, 13, 12, 0, tzinfo=UTC))

    days = [(d.day, d.count) for d in stats.event_dashboard(event).days]
    assert days == [
        (date(2025, 3, 10), 1),
        (date(2025, 3, 11), 2),
        (date(2025, 3, 12), 0),
        (date(2025, 3, 13), 1),
    ]


def test_chart_is_an_accessible_svg_with_the_same_data_as_a_table(create_event, dashboard):
    event = create_event(online_url="https://meet.example.org/x")
    register_at(event, "a@example.com", datetime(2025, 3, 10, 22, 30, tzinfo=UTC))
    register_at(event, "b@example.com", datetime(2025, 3, 10, 23, 30, tzinfo=UTC))
    register_at(event, "c@example.com", datetime(2025, 3, 11, 9, 0, tzinfo=UTC))

    html = dashboard(event)
    svg = content_svgs(html)[0]
    assert 'role="img"' in svg
    assert '<title id="chart-title">Iscrizioni ricevute per giorno</title>' in svg
    assert "<desc" in svg
    assert svg.count("<rect") == 2
    assert "style=" not in svg and "<script" not in html.split("</head>")[1]
    assert "10/3" in svg and "11/3" in svg
    table = re.search(r'<details class="chart-data">.*?</details>', html, re.S).group(0)
    assert "lunedì 10 marzo 2025 1" in text(table)
    assert "martedì 11 marzo 2025 2" in text(table)


def test_dashboard_without_registrations_says_so(create_event, dashboard):
    html = dashboard(create_event())
    assert "Ancora nessuna iscrizione" in html
    assert not content_svgs(html)


# -- questions summed up ---------------------------------------------------------------------


@pytest.fixture
def surveyed(create_event, add_question, register):
    """An event with one question of each summed-up kind and three companies' answers."""
    event = create_event()
    q = {
        "size": add_question(event, "size", QuestionKind.choice, choices=choices("a", "b", "c")),
        "topics": add_question(
            event, "topics", QuestionKind.multichoice, choices=choices("x", "y")
        ),
        "pv": add_question(event, "pv", QuestionKind.yesno),
        "kwh": add_question(event, "kwh", QuestionKind.number, settings={"unit": "kWh"}),
        "pods": add_question(event, "pods", QuestionKind.pod),
        "cabin": add_question(event, "cabin", QuestionKind.substation),
        "note": add_question(event, "note", QuestionKind.textarea),
    }
    rows = [
        (VAT_A, "a", ["x", "y"], "yes", "1500", "IT001E12345678\nIT002E87654321", "AC001E00045"),
        (VAT_B, "a", ["x"], "no", "2.500,5", "IT003E11111111", "AC001E00045"),
        (VAT_C, "b", [], "no", "", "", "AC002E00012"),
    ]
    for n, (vat, size, topics, pv, kwh, pods, cabin) in enumerate(rows):
        register(
            event,
            email=f"contatto{n}@example.com",
            vat_number=vat,
            **{
                q["size"].field_name: size,
                q["topics"].field_name: topics,
                q["pv"].field_name: pv,
                q["kwh"].field_name: kwh,
                q["pods"].field_name: pods,
                q["cabin"].field_name: cabin,
                q["note"].field_name: "Una nota" if n == 0 else "",
            },
        )
    assert len(registrations()) == 3
    return event, q


def summaries(event: Event) -> dict[str, stats.QuestionSummary]:
    return {s.question.code: s for s in stats.event_dashboard(event).questions}


def test_choice_answers_are_counted_per_option_with_percentages(surveyed, dashboard):
    event, _ = surveyed
    summary = summaries(event)
    size = {o.value: (o.count, o.percent) for o in summary["size"].options}
    assert size == {"a": (2, Decimal("66.7")), "b": (1, Decimal("33.3")), "c": (0, Decimal(0))}
    topics = {o.value: o.count for o in summary["topics"].options}
    assert (summary["topics"].respondents, topics) == (2, {"x": 2, "y": 1})
    assert {o.value: o.count for o in summary["pv"].options} == {"yes": 1, "no": 2}
    # Beside each option, the active registrations giving it and the list's filter value.
    assert [(r.filter, r.registrations) for r in summary["size"].rows] == [
        ("a", 2),
        ("b", 1),
        ("c", 0),
    ]
    assert [(r.filter, r.registrations) for r in summary["pv"].rows] == [("yes", 1), ("no", 2)]


def option_table(section: Node) -> list[list[str]]:
    table = section.one("table")
    return [[cell.text() for cell in row.elements] for row in table.one("tbody").all("tr")]


def chart_of(section: Node) -> Node:
    return section.one("svg", "option-chart-svg")


def test_a_choice_question_has_a_bar_chart_followed_by_its_table(surveyed, dashboard):
    event, q = surveyed
    section = question_section(dashboard(event), q["size"])
    svg = chart_of(section)
    assert svg.attrs["role"] == "img"
    assert svg.attrs["viewbox"].startswith("0 0 400 ") and svg.attrs["width"] == "100%"
    title_id, desc_id = svg.attrs["aria-labelledby"].split()
    assert svg.one("title", id=title_id).text() == "Risposte a «Size» per opzione"
    assert svg.one("desc", id=desc_id).text() == (
        "Risposte: 3. A: 2 (66,7%); B: 1 (33,3%); C: 0 (0%)."
    )
    bars = svg.all("g", "option-bar")
    assert [g.one("title").text() for g in bars] == ["A: 2 (66,7%)", "B: 1 (33,3%)", "C: 0 (0%)"]
    # One bar per option, as long as its share of the respondents on a 300-unit track.
    widths = [float(g.one("rect", "chart-bar").attrs["width"]) for g in bars]
    assert widths == [200.0, 100.0, 0.0]
    assert all(rect.attrs["fill"] == "#0059b3" for rect in svg.all("rect", "chart-bar"))
    assert not [node for node in [svg, *svg.all()] if "style" in node.attrs]
    assert not svg.all("a"), "the picture holds no links: the table after it does"
    # The table comes right after the chart and says the same.
    blocks = [node for node in section.elements if node.tag in ("figure", "div")]
    assert blocks[0].tag == "figure" and blocks[1].one("table")
    assert option_table(section) == [
        ["A", "2", "66,7%", "2 2 iscrizioni attive con la risposta «A»: vedi l'elenco"],
        ["B", "1", "33,3%", "1 1 iscrizione attiva con la risposta «B»: vedi l'elenco"],
        ["C", "0", "0%", "0 0 iscrizioni attive con la risposta «C»: vedi l'elenco"],
    ]
    # Read aloud, each link says what it counts and where it leads.
    names = [a.one("span", "visually-hidden").text() for a in section.one("tbody").all("a")]
    assert names[1] == "1 iscrizione attiva con la risposta «B»: vedi l'elenco"


def test_an_option_links_to_the_active_registrations_giving_it(
    surveyed, add_question, register, dashboard, client
):
    event, q = surveyed
    # A second contact of the first company, same answer: the company counts once, the
    # list shows both registrations. A withdrawn one counts nowhere.
    register(event, email="collega@example.com", vat_number=VAT_A, **{q["size"].field_name: "a"})
    register(event, email="ritirata@example.com", vat_number=VAT_D, **{q["size"].field_name: "a"})
    services.withdraw(registration_by_email("ritirata@example.com"))
    section = question_section(dashboard(event), q["size"])
    a, b, c = section.one("tbody").all("tr")
    assert [cell.text() for cell in a.elements][:2] == ["A", "2"]  # companies
    link = a.one("a")
    assert link.text().startswith("3 ")  # registrations
    query = parse_qs(urlsplit(link.attrs["href"]).query)
    assert query == {"status": ["active"], q["size"].field_name: ["a"]}
    assert listed(client, link.attrs["href"]) == 3
    everyone = [f"contatto{n}@example.com" for n in range(3)]
    everyone += ["collega@example.com", "ritirata@example.com"]
    assert listed_emails(client, link.attrs["href"], everyone) == {
        "contatto0@example.com",
        "contatto1@example.com",
        "collega@example.com",
    }
    for row in (b, c):
        href = row.one("a").attrs["href"]
        assert listed(client, href) == int(row.one("a").text().split()[0])
    # The page says which number is which.
    assert "la colonna «Iscrizioni attive» conta invece tutte le iscrizioni attive" in text(
        dashboard(event)
    )


def test_yes_no_options_link_to_the_list_by_yes_and_no(surveyed, dashboard, client):
    event, q = surveyed
    section = question_section(dashboard(event), q["pv"])
    assert [g.one("title").text() for g in chart_of(section).all("g", "option-bar")] == [
        "Sì: 1 (33,3%)",
        "No: 2 (66,7%)",
    ]
    yes, no = (row.one("a").attrs["href"] for row in section.one("tbody").all("tr"))
    assert parse_qs(urlsplit(yes).query)[q["pv"].field_name] == ["yes"]
    assert listed(client, yes) == 1 and listed(client, no) == 2
    assert listed_emails(client, yes, [f"contatto{n}@example.com" for n in range(3)]) == {
        "contatto0@example.com"
    }


def test_a_multiple_choice_question_has_a_bar_per_option_and_links_each(
    surveyed, dashboard, client
):
    event, q = surveyed
    section = question_section(dashboard(event), q["topics"])
    svg = chart_of(section)
    bars = svg.all("g", "option-bar")
    assert [g.one("title").text() for g in bars] == ["X: 2 (100%)", "Y: 1 (50%)"]
    assert [float(g.one("rect", "chart-bar").attrs["width"]) for g in bars] == [300.0, 150.0]
    assert "le percentuali non sommano a 100" in svg.one("desc").text()
    rows = option_table(section)
    assert [row[:3] for row in rows] == [["X", "2", "100%"], ["Y", "1", "50%"]]
    x, y = (row.one("a").attrs["href"] for row in section.one("tbody").all("tr"))
    assert parse_qs(urlsplit(y).query) == {"status": ["active"], q["topics"].field_name: ["y"]}
    assert listed(client, x) == 2
    assert listed_emails(client, y, [f"contatto{n}@example.com" for n in range(3)]) == {
        "contatto0@example.com"
    }


def test_a_long_option_label_is_cut_short_in_the_chart_and_whole_in_the_table(
    create_event, add_question, register, dashboard
):
    event = create_event()
    long_label = (
        "Sì, ma soltanto se la comunità energetica accoglie anche le imprese artigiane "
        "con capannoni in affitto e tetti in amianto da bonificare"
    )
    question = add_question(
        event,
        "adesione",
        QuestionKind.choice,
        choices=[{"value": "si", "label": long_label}, {"value": "no", "label": "No"}],
    )
    register(event, **{question.field_name: "si"})
    section = question_section(dashboard(event), question)
    svg = chart_of(section)
    width = float(svg.attrs["viewbox"].split()[2])
    label = svg.all("g", "option-bar")[0].all("text")[0].text()
    assert label.endswith("…") and long_label.startswith(label[:-1].rstrip())
    assert charts.text_width(label, 14) <= width
    assert svg.all("g", "option-bar")[0].one("title").text() == f"{long_label}: 1 (100%)"
    assert option_table(section)[0][0] == long_label


def test_an_event_without_choice_questions_has_no_answer_chart(
    create_event, add_question, register, dashboard
):
    event = create_event()
    note = add_question(event, "note", QuestionKind.textarea)
    kwh = add_question(event, "kwh", QuestionKind.number, settings={"unit": "kWh"})
    register(event, **{note.field_name: "Una nota", kwh.field_name: "1200"})
    html = dashboard(event)
    assert "option-chart" not in html
    assert len(content_svgs(html)) == 1  # the registrations per day only
    assert "Iscrizioni attive" not in html


def test_a_residents_meeting_counts_people_in_its_charts(create_event, add_question, dashboard):
    event = create_event(
        registrants=Registrants.people,
        organisation_field=FieldUse.hidden,
        online_url="https://meet.example.org/x",
    )
    question = add_question(event, "quartiere", QuestionKind.yesno)
    for n, answer in enumerate((True, True, False)):
        data = services.RegistrationData(
            first_name="Lucia",
            last_name="Ferrari",
            company_name="",
            attendance=AttendanceMode.online,
            party_size=1,
            email=f"persona{n}@example.com",
            answers={question.id: answer},
        )
        services.register(event, data)
    html = dashboard(event)
    section = question_section(html, question)
    assert [cell.text() for cell in section.one("thead").all("th")][:2] == ["Opzione", "Persone"]
    assert [row[:2] for row in option_table(section)] == [["Sì", "2"], ["No", "1"]]
    assert "ogni persona conta una volta" in text(html)
    assert "aziend" not in html.lower()


def test_the_english_dashboard_charts_the_answers(surveyed, dashboard, client):
    event, q = surveyed
    dashboard(event)  # signs in
    client.get("/lang/en?next=/")
    section = question_section(dashboard(event), q["pv"])
    svg = chart_of(section)
    assert svg.elements[0].text() == "Answers to “Pv” by option"
    assert [g.one("title").text() for g in svg.all("g", "option-bar")] == [
        "Yes: 1 (33.3%)",
        "No: 2 (66.7%)",
    ]
    assert [row[:3] for row in option_table(section)] == [
        ["Yes", "1", "33.3%"],
        ["No", "2", "66.7%"],
    ]
    yes = section.one("tbody").all("tr")[0].one("a").attrs["href"]
    assert listed(client, yes) == 1


def test_number_answers_get_sum_average_min_and_max(surveyed, dashboard):
    event, _ = surveyed
    numbers = summaries(event)["kwh"].numbers
    assert (numbers.total, numbers.average, numbers.minimum, numbers.maximum) == (
        Decimal("4000.5"),
        Decimal("2000.25"),
        Decimal(1500),
        Decimal("2500.5"),
    )
    assert (numbers.count, numbers.unit) == (2, "kWh")
    html = dashboard(event)
    assert "4.000,5 kWh" in text(html)
    assert "2.000,25 kWh" in text(html)


def test_pods_are_counted_substations_listed_and_texts_counted(surveyed, dashboard):
    event, _ = surveyed
    summary = summaries(event)
    assert summary["pods"].pod_count == 3
    assert summary["cabin"].codes == ["AC001E00045", "AC002E00012"]
    assert summary["note"].respondents == 1
    page = text(dashboard(event))
    assert "Punti di prelievo (POD) indicati in tutto: 3" in page
    assert "Comunità energetica" not in page  # not an energy-community event


def test_withdrawn_registrations_do_not_count_in_the_answers(surveyed):
    event, _ = surveyed
    services.withdraw(registration_by_email("contatto1@example.com"))
    summary = summaries(event)
    assert summary["kwh"].numbers.total == Decimal(1500)
    assert summary["size"].respondents == 2


def test_archived_questions_are_still_summed_up(surveyed, dashboard):
    event, q = surveyed
    q["kwh"].is_archived = True
    db.session.commit()
    assert summaries(event)["kwh"].numbers.count == 2
    assert "(archiviata)" in text(dashboard(event))


# -- companies (demo event) ------------------------------------------------------------------


@pytest.fixture
def demo_answers(app, register):
    """Register to the demo event giving the answers by question code."""
    event = seed_demo()

    def post(email: str, vat: str, company: str, answers: dict, **overrides):
        q = {question.code: question for question in event.questions}
        fields = {q[code].field_name: value for code, value in answers.items()}
        response = register(
            event, email=email, vat_number=vat, company_name=company, **overrides, **fields
        )
        assert response.status_code == 303, response.get_data(as_text=True)

    return event, post


def company(**answers) -> dict:
    base = {
        "interest": "yes",
        "member_kind": "company",
        "staff": "10_49",
        "turnover": "le10",
        "ateco": "256200",
        "area": "ex_olivetti",
        "role": "consumer",
        "non_binding": "y",
    }
    return {**base, **answers}


@pytest.fixture
def officine(demo_answers):
    """Two contacts of one company who disagree on the consumption, and a company that only
    comes to listen."""
    event, post = demo_answers
    post("anna@officine.it", VAT_A, "Officine Srl", company(annual_kwh="120.000"),
         first_name="Anna", last_name="Bassi")  # fmt: skip
    post("dario@altro.it", VAT_D, "Solo Ascolto Snc", {"interest": "no"})
    post("mario@officine.it", VAT_A, "Officine Srl", company(annual_kwh="150.000"),
         first_name="Mario")  # fmt: skip
    return event


def test_two_contacts_of_one_company_count_once_with_the_latest_answers(officine):
    data = stats.event_dashboard(officine)
    assert (data.active_registrations, data.companies) == (3, 2)
    kwh = next(s for s in data.questions if s.question.code == "annual_kwh")
    assert kwh.numbers.total == Decimal(150000)
    assert kwh.numbers.count == 1


def test_company_is_recognised_by_tax_code_then_email_without_vat(demo_answers):
    event, post = demo_answers
    post("uno@studio.it", "", "Studio", {"interest": "no"}, tax_code="RSSMRA80A01H501U")
    post("due@studio.it", "", "Studio", {"interest": "no"}, tax_code="RSSMRA80A01H501U")
    assert stats.event_dashboard(event).companies == 1
    registration_by_email("due@studio.it").tax_code = ""
    db.session.commit()
    assert stats.event_dashboard(event).companies == 2


def test_disagreeing_contacts_of_one_company_are_named(officine, dashboard):
    found = stats.event_dashboard(officine).disagreements
    assert [(d.company_name, d.question.code) for d in found] == [("Officine Srl", "annual_kwh")]
    assert [(row.email, value) for row, value in found[0].values] == [
        ("mario@officine.it", 150000),
        ("anna@officine.it", 120000),
    ]

    page = text(dashboard(officine))
    notice = page.split("Dati discordanti")[1].split("Interesse ad aderire")[0]
    assert "Officine Srl – Consumo annuo complessivo di energia elettrica" in notice
    assert "150.000 kWh (Mario Rossi, mario@officine.it)" in notice
    assert "120.000 kWh (Anna Bassi, anna@officine.it)" in notice


def test_agreeing_contacts_bring_no_notice(demo_answers, dashboard):
    event, post = demo_answers
    for email in ("uno@officine.it", "due@officine.it"):
        post(email, VAT_A, "Officine Srl", company(annual_kwh="120.000"))
    assert stats.event_dashboard(event).disagreements == []
    assert "Dati discordanti" not in dashboard(event)


def test_long_code_lists_and_disagreements_are_cut_with_a_note(dashboard, monkeypatch):
    from eventsreg.demo import seed_registrations
    from eventsreg.organizer import dashboard_views

    event = seed_demo()
    seed_registrations(event, 40, seed=5)
    monkeypatch.setattr(dashboard_views, "ITEMS_SHOWN", 1)
    html = dashboard(event)
    lists = re.findall(r'<ul class="code-list">(.*?)</ul>', html, re.S)
    assert lists and all(found.count("<li>") == 1 for found in lists)
    assert re.search(r"E altri \d+ codici, non mostrati", html)
    assert stats.event_dashboard(event).questions  # the page shows fewer, the data has all
    assert max(len(s.codes or ()) for s in stats.event_dashboard(event).questions) > 1
