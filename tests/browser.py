"""A real browser on the demo site: the app served on a loopback port, Chromium, axe-core.

Used by tests/test_browser.py and scripts/screenshots.py. The app runs in a thread of this
process (werkzeug's threaded server) on a SQLite file with the demo data and an organiser,
CSRF on, no mail server (messages go to the log and the outbox). The browser is Debian's
Chromium: Playwright's own browser download is not available on these machines.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ORGANIZER_EMAIL = "organizzatrice@example.org"
ORGANIZER_PASSWORD = "una-password-lunga-per-il-browser"

#: Milliseconds Playwright waits for a page or an element before failing.
TIMEOUT_MS = 15_000


def missing_tools(*, axe: bool = False) -> str | None:
    """Why the browser tests cannot run here, or None when everything is installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if axe and not AXE_JS.exists():
        return f"axe-core is not installed: no {AXE_JS} (run npm install at the repo root)"
    return None


class _QuietHandler(WSGIRequestHandler):
    """Logs only errors: one line per request would bury the test output."""

    def log_request(self, code="-", size="-"):
        pass


@dataclass
class DemoSite:
    """The served demo: its base URL and the app (for reading the database in tests)."""

    base_url: str
    app: object
    demo_slug: str

    def url(self, path: str) -> str:
        return self.base_url + path


def build_demo_app(database_path: Path):
    """The app on a fresh SQLite file with the demo events and an administrator organiser."""
    from eventsreg import create_app
    from eventsreg.demo import seed_demo
    from eventsreg.extensions import db
    from eventsreg.organizer.services import create_organizer

    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}",
            "WTF_CSRF_ENABLED": True,
            # Every request comes from 127.0.0.1: the scans post more forms in a minute than
            # one person would, and the limits themselves are tested elsewhere.
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": None,
        }
    )
    with app.app_context():
        db.create_all()
        event = seed_demo()
        organizer = create_organizer(
            ORGANIZER_EMAIL, ORGANIZER_PASSWORD, name="Organizzatrice", is_admin=True
        )
        organizer.events.append(event)
        db.session.commit()
        slug = event.slug
        db.session.remove()
    return app, slug


#: Sample registrations for the organiser's pages: (first, last, company, attendance, answers).
#: Enough for an energy-community picture: members under two primary substations, a large
#: company and an energy producer that can only be third-party producers, one not interested.
SAMPLE_REGISTRATIONS = [
    ("Giulia", "Bianchi", "Meccanica Bianchi Srl", "in_person",
     {"interest": "yes", "member_kind": "company", "staff": "10_49", "turnover": "le10",
      "ateco": "25.62.00", "ateco_edition": "2025", "area": "ex_olivetti", "role": "consumer",
      "supply_points": "IT001E10000001; AC001E00045; 240.000\nIT001E10000002; AC002E00012; 60.000",
      "roof_area_m2": "900", "non_binding": "y"}),
    ("Luca", "Ferrari", "Ferrari Logistica Spa", "online",
     {"interest": "more_info", "member_kind": "company", "staff": "50_249",
      "turnover": "gt50", "balance_sheet": "gt43", "area": "pip_pierina", "role": "prosumer",
      "supply_points": "IT001E20000001; AC002E00012; 1.200.000", "has_pv": "yes",
      "pv_existing_kwp": "199,5", "pv_existing_period": "before", "net_metering": "yes",
      "pv_planned_kwp": "150", "pv_planned_substation": "AC002E00012", "asbestos": "yes",
      "non_binding": "y"}),
    ("Anna", "Colombo", "Comune di Crema", "not_attending",
     {"interest": "yes", "member_kind": "public_body", "area": "other",
      "role": "producer", "pv_planned_kwp": "500", "pv_planned_substation": "AC001E00045",
      "non_binding": "y"}),
    ("Paolo", "Riva", "Sole Cremasco Srl", "in_person",
     {"interest": "yes", "member_kind": "company", "staff": "lt10", "turnover": "le2",
      "ateco": "35.12.00", "ateco_edition": "2025", "area": "ex_olivetti", "role": "producer",
      "pv_planned_kwp": "300", "pv_planned_substation": "AC001E00045", "non_binding": "y"}),
    ("Sara", "Fontana", "Panificio Fontana Snc", "in_person",
     {"interest": "yes", "member_kind": "company", "staff": "lt10", "turnover": "le2",
      "ateco": "10.71.10", "area": "pip_pierina", "role": "consumer",
      "supply_points": "IT001E30000001; ; 85.000", "non_binding": "y"}),
    ("Marco", "Galli", "Studio Galli", "in_person", {"interest": "no"}),
]  # fmt: skip


def question_names(app) -> dict[str, str]:
    """Form field names of the questions by code (they are q_<id>)."""
    import sqlalchemy as sa

    from eventsreg.events.models import Question
    from eventsreg.extensions import db

    with app.app_context():
        names = {q.code: q.field_name for q in db.session.scalars(sa.select(Question))}
        db.session.remove()
    return names


def seed_sample_registrations(app, slug: str) -> None:
    """Register the sample companies through the registration service, as the form would."""
    import sqlalchemy as sa

    from eventsreg.events.models import Event
    from eventsreg.extensions import db
    from eventsreg.questions.kinds import kind_of
    from eventsreg.registrations import services
    from eventsreg.registrations.models import AttendanceMode

    def parse_answer(question, raw):
        return kind_of(question).parse(question, raw, "it")

    with app.test_request_context():
        event = db.session.scalar(sa.select(Event).where(Event.slug == slug))
        by_code = {q.code: q for q in event.questions}
        for first, last, company, attendance, answers in SAMPLE_REGISTRATIONS:
            data = services.RegistrationData(
                first_name=first,
                last_name=last,
                company_name=company,
                email=f"{first}.{last}@example.com".lower(),
                attendance=AttendanceMode(attendance),
                party_size=1,
                answers={by_code[c].id: parse_answer(by_code[c], v) for c, v in answers.items()},
            )
            services.register(event, data)
        db.session.remove()


@contextmanager
def serve_demo(database_path: Path, port: int = 0) -> Iterator[DemoSite]:
    """Serve the demo app on loopback *port* (0: a free one) in a background thread."""
    app, slug = build_demo_app(database_path)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="demo-server", daemon=True)
    thread.start()
    try:
        yield DemoSite(f"http://127.0.0.1:{server.server_port}", app, slug)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            from eventsreg.extensions import db

            db.engine.dispose()


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser, *, width: int = 1280, height: int = 900, **kwargs):
    """A fresh visitor (own cookies) with a viewport *width* pixels wide."""
    mobile = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": height if not mobile else 800},
        locale="it-IT",
        timezone_id="Europe/Rome",
        device_scale_factor=2 if mobile else 1,
        is_mobile=mobile,
        has_touch=mobile,
        **kwargs,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def sign_in(page, site: DemoSite) -> None:
    """Sign the organiser in through the real form."""
    page.goto(site.url("/organizer/login"))
    page.locator("#email").fill(ORGANIZER_EMAIL)
    page.locator("#password").fill(ORGANIZER_PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "/organizer/login" not in page.url, page.inner_text("main")


def fill_registration(page, email: str, *, company: str = "Officine Cremasche Srl") -> None:
    """Fill the standard fields of the registration form (no event questions)."""
    page.locator("#first_name").fill("Maria")
    page.locator("#last_name").fill("Rossi")
    page.locator("#email").fill(email)
    page.locator("#phone").fill("+39 0373 123456")
    page.locator("#company_name").fill(company)
    page.locator("#vat_number").fill("00743110157")
    page.locator("#attendance-0").check()  # in person
    page.locator("#privacy_consent").check()


def set_language(page, site: DemoSite, code: str) -> None:
    """Switch the visitor's language with the site's own switch."""
    page.goto(site.url(f"/lang/{code}?next=/"))


def run_axe(page) -> list[dict]:
    """axe-core's violations on the current page (every rule axe runs by default)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({
                    target: n.target.join(" "), html: n.html, impact: n.impact,
                    summary: n.failureSummary,
                })),
            }));
        }"""
    )


def sideways_scroll(page) -> list[dict]:
    """A violation-like entry when the page scrolls sideways (WCAG 1.4.10 Reflow).

    Wide tables inside a scrolling wrapper are fine; the page itself must fit.
    """
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            const tooWide = e => e.getBoundingClientRect().right > width + 1
                && !e.closest(".table-scroll, .visually-hidden")
                && getComputedStyle(e).position !== "absolute";
            // The outermost elements that stick out: their children only follow them.
            const all = [...document.querySelectorAll("body *")];
            let wide = all.filter(e => tooWide(e) && !tooWide(e.parentElement));
            if (!wide.length) {
                // Absolutely positioned elements escape a scrolling wrapper that is not
                // their containing block.
                wide = all.filter(e => getComputedStyle(e).position === "absolute"
                    && e.getBoundingClientRect().right > width + 1);
            }
            wide = wide.slice(0, 3);
            return [{
                id: "page-scrolls-sideways", impact: "serious",
                help: "The page is wider than the viewport (" + width + " px)",
                helpUrl: "https://www.w3.org/WAI/WCAG22/Understanding/reflow",
                nodes: wide.map(e => ({
                    target: e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                        + (e.className && typeof e.className === "string"
                           ? "." + e.className.trim().split(/\\s+/).join(".") : ""),
                    html: e.outerHTML.slice(0, 160), impact: "serious",
                    summary: "right edge at " + Math.round(e.getBoundingClientRect().right) + " px",
                })),
            }];
        }"""
    )


def serious(violations: list[dict]) -> list[dict]:
    """The violations that block or seriously hinder people."""
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def describe(violations_by_page: dict[str, list[dict]]) -> str:
    """A readable list of violations: page, rule, help, and each element's target."""
    lines = []
    for page_name, violations in violations_by_page.items():
        for v in violations:
            lines.append(f"{page_name}: {v['id']} ({v['impact']}) – {v['help']}")
            for node in v["nodes"]:
                lines.append(f"    {node['target']}  {node['html'][:160]}")
                if node.get("summary"):
                    lines.append("      " + node["summary"].replace("\n", "\n      ")[:400])
    return "\n".join(lines)
