"""Every GET URL under hostile paths, query strings and headers: never a server error.

Public URLs are walked from the app's URL map; so are the organisers', asked while
signed in. URL arguments take hostile segments (payloads, traversal, NUL, percent-encoded
bytes that are not UTF-8, very long), query strings take hostile values for the parameters
the views read, and headers take garbage.
"""

import re
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import PASSWORD, form_data
from .helpers import personal_token
from .hostile import assert_nothing_executable, hostile_settings, query_strings, url_segments

#: Query parameters the views read, for every URL (unknown ones are ignored anyway).
QUERY_NAMES = [
    "q", "page", "status", "attendance", "checked_in", "next", "lang", "sep", "filters",
    "subject", "body", "q_choice", "q_yesno",
]  # fmt: skip

_ARG = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def get_rules(app, organizer: bool) -> list[str]:
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.rule.startswith("/organizer") == organizer:
            rules.append(rule.rule)
    return sorted(rules)


def fill(rule: str, values: dict) -> str:
    return _ARG.sub(lambda m: str(values[m.group(1)]), rule)


@pytest.fixture
def site(app, client, create_event, add_question, create_organizer):
    """A published event with a choice and a yes/no question, and one registration."""
    from eventsreg.events.models import QuestionKind

    from .conftest import choices

    event = create_event(slug="hostile")
    add_question(event, "choice", QuestionKind.choice, choices=choices("a", "b"))
    add_question(event, "yesno", QuestionKind.yesno)
    response = client.post(f"/events/{event.slug}/register", data=form_data())
    token = personal_token(client, response)
    create_organizer("admin@example.org", is_admin=True, events=[event])
    return {
        "slug": event.slug,
        "token": token,
        "code": "en",
        "registration_id": 1,
        "question_id": 1,
        "organizer_id": 1,
        "email_id": 1,
        "filename": "x",
        "table": "pods",
        "ext": "csv",
    }


def sign_in(client) -> None:
    if client.get("/organizer/").status_code != 200:
        response = client.post(
            "/organizer/login", data={"email": "admin@example.org", "password": PASSWORD}
        )
        assert response.status_code == 303


def _get(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code < 500, url
    if response.mimetype == "text/html":
        assert_nothing_executable(response.get_data(as_text=True))
    return response


@pytest.mark.parametrize("organizer", [False, True], ids=["public", "organizer"])
def test_hostile_url_arguments(app, client, site, organizer):
    rules = get_rules(app, organizer)
    if organizer:
        sign_in(client)

    @hostile_settings(max_examples=30)
    @given(rule=st.sampled_from(rules), data=st.data())
    def check(rule, data):
        if organizer:
            sign_in(client)
        values = dict(site)
        for name in _ARG.findall(rule):
            if data.draw(st.booleans(), label=f"hostile {name}"):
                segment = data.draw(url_segments, label=name)
                values[name] = segment or "x"
        _get(client, fill(rule, values))

    check()


@pytest.mark.parametrize("organizer", [False, True], ids=["public", "organizer"])
def test_hostile_query_strings(app, client, site, organizer):
    rules = get_rules(app, organizer)
    if organizer:
        sign_in(client)

    @hostile_settings(max_examples=30)
    @given(rule=st.sampled_from(rules), query=query_strings(QUERY_NAMES))
    def check(rule, query):
        if organizer:
            sign_in(client)
        _get(client, fill(rule, site) + "?" + query)

    check()


@pytest.mark.parametrize(
    "value", ["-1", "0", str(10**30), "abc", "1e3", "1.5", "%00", "\x00", "9" * 400, "+1", " 2"]
)
def test_odd_page_numbers_and_searches_on_organiser_lists(app, client, site, value):
    sign_in(client)
    for rule in get_rules(app, organizer=True):
        for name in ("page", "q", "status", "attendance", "checked_in", "q_choice", "q_yesno"):
            _get(client, fill(rule, site), query_string={name: value})


garbage_header = st.one_of(
    st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
        max_size=200,
    ),
    st.sampled_from(
        [
            "",
            "*",
            "W/",
            '"',
            "en;q=abc, it;q=-1, *;q=9e999",
            "xx-" + "a" * 5000,
            "Thu, 99 Foo 99999 99:99:99 GMT",
            "0",
            "-1",
            "Mon, 01 Jan 0001 00:00:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            format_datetime(__import__("datetime").datetime(1970, 1, 1), usegmt=False),
            "session=%ff%fe; lang=<script>; remember_token=" + "A" * 4000,
            "session=.eJw; session=x",
        ]
    ),
)

HEADERS = [
    "Accept-Language",
    "X-Request-ID",
    "If-None-Match",
    "If-Modified-Since",
    "Cookie",
    "Accept",
    "Referer",
    "User-Agent",
    "X-Forwarded-For",
    "Range",
]


@pytest.mark.parametrize("organizer", [False, True], ids=["public", "organizer"])
def test_hostile_headers(app, client, site, organizer):
    rules = get_rules(app, organizer)
    rules += ["/calendar.ics", "/events/<slug>/event.ics"] if not organizer else []

    @hostile_settings(max_examples=30)
    @given(
        rule=st.sampled_from(rules),
        headers=st.dictionaries(st.sampled_from(HEADERS), garbage_header, max_size=4),
    )
    def check(rule, headers):
        fresh = app.test_client()
        if organizer:
            sign_in(fresh)
        cookie = headers.pop("Cookie", None)
        if cookie is not None:
            # Garbage on top of the session cookie, as a broken proxy or extension sends.
            headers["Cookie"] = cookie
        _get(fresh, fill(rule, site), headers=headers)

    check()


@pytest.mark.parametrize("url", ["/calendar.ics", "/events/hostile/event.ics"])
def test_conditional_requests_on_calendars_with_garbage_validators(client, site, url):
    first = _get(client, url)
    etag = first.headers.get("ETag", '"x"')
    for header, value in [
        ("If-None-Match", etag + ", garbage, " + "W/" * 100),
        ("If-None-Match", "\x00"),
        ("If-Modified-Since", "Tue, 31 Feb 2026 25:61:61 GMT"),
        ("If-Modified-Since", "9" * 200),
        ("If-Modified-Since", "Mon, 01 Jan 0001 00:00:00 GMT"),
        ("If-Range", "garbage"),
        ("Range", "bytes=999999999999999999999-"),
    ]:
        _get(client, url, headers={header: value})


@pytest.mark.parametrize(
    "rule",
    [
        "/organizer/accounts/<int:organizer_id>",
        "/organizer/events/<slug>/registrations/<int:registration_id>",
        "/organizer/events/<slug>/questions/<int:question_id>/edit",
        "/organizer/events/<slug>/checkin/<int:registration_id>",
    ],
)
def test_ids_beyond_64_bits_are_not_found(client, site, rule):
    sign_in(client)
    huge = dict(site, organizer_id=10**30, registration_id=10**30, question_id=10**30)
    assert client.get(fill(rule, huge)).status_code in (404, 405)


@pytest.mark.parametrize(
    "url",
    [
        "/events/%00/",
        "/events/a%00b/register",
        "/organizer/events/%00/",
        "/organizer/events/hostile/checkin?q=%00",
    ],
)
def test_nul_in_a_lookup_is_not_found_or_ignored(client, site, url):
    sign_in(client)
    assert client.get(url).status_code in (200, 404)
