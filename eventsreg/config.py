"""Configuration defaults.

Precedence, lowest first: these defaults, ``instance/config.py``, the
``DATABASE_URL`` environment variable, then ``EVENTSREG_<KEY>`` variables.
"""

import os
from pathlib import Path

LANGUAGES = ("it", "en")
# The repository root (as ROOT in eventsreg/__init__.py): the catalogs live in its translations/.
ROOT = Path(__file__).resolve().parent.parent


def defaults(instance_path: str) -> dict:
    """The built-in configuration for an app whose instance folder is *instance_path*."""
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "eventsreg.sqlite"),
        # Completed by database.engine_defaults once the database is known.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # Registration forms are small; anything bigger is refused with 413 before parsing.
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "MAX_FORM_MEMORY_SIZE": 256 * 1024,
        "BABEL_DEFAULT_LOCALE": "it",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Rome",
        # Italian is the source language (the msgids); English comes from translations/en.
        # Flask-Babel would look in the package folder, so point it at the repository's.
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": LANGUAGES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # None: Secure when BASE_URL starts with https:// (production), so the cookies never
        # travel over plain HTTP there; true or false forces it.
        "SESSION_COOKIE_SECURE": None,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": None,
        # Strict-Transport-Security on responses served over HTTPS (seconds; 0 turns it off).
        "HSTS_MAX_AGE": 365 * 24 * 3600,
        # An organiser's session ends after this many seconds without a request…
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        # …unless they ticked "remember me" on that device: then at most this many.
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        # Rate limits (Flask-Limiter). False turns every limit off (EVENTSREG_RATELIMIT_ENABLED).
        "RATELIMIT_ENABLED": True,
        # Counters live in this process's memory: right for one process. With several
        # gunicorn workers or hosts, point every instance at the same Redis
        # (EVENTSREG_RATELIMIT_STORAGE_URI=redis://host:6379/0) so that they share one count.
        "RATELIMIT_STORAGE_URI": "memory://",
        # If Redis is down, count in memory for a while rather than fail the request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Prefix of the counters' keys, so that a Redis shared with other services stays tidy.
        "RATELIMIT_KEY_PREFIX": "eventsreg",
        # Retry-After on a 429 tells the browser (and a polite script) when to come back.
        "RATELIMIT_HEADERS_ENABLED": True,
        # The limits below count per client address, and one address is often many people:
        # an office or a town hall behind one NAT, or phones behind a mobile carrier's shared
        # address. They are sized for that, and only stop what no group of people does.
        # Failed sign-ins allowed per address (successful ones are not counted).
        "LOGIN_RATE_LIMIT": "10 per 15 minutes",
        # Registrations accepted (POST only; showing the form is never limited), counted
        # across all events. A person takes minutes to fill the form, so ten a minute is
        # several colleagues at once; sixty an hour is a whole office answering the same
        # invitation. A script is stopped after ten and adds at most sixty an hour, few
        # enough for an organiser to see and remove.
        "REGISTRATION_RATE_LIMIT": "10 per minute; 60 per hour",
        # Submissions refused (an error to fix, an address already registered), counted
        # apart so that colleagues correcting their forms never use up the allowance above:
        # each of ten people may get it wrong several times in one minute.
        "REGISTRATION_INVALID_RATE_LIMIT": "60 per minute; 300 per hour",
        # "Send my link again" requests (POST). Each one may email a registered address,
        # so they are fewer: a mistyped address can be retried at once, and a few colleagues
        # who lost their links fit in an hour; trying many addresses does not. Each
        # registration also gets at most one link per LINK_RESEND_INTERVAL_SECONDS.
        "LINK_RATE_LIMIT": "3 per minute; 20 per hour",
        "WTF_CSRF_TIME_LIMIT": None,
        # How organisers' passwords are hashed (werkzeug's method string). scrypt costs
        # ~100 ms per hash and per check, which is what makes a stolen hash slow to crack;
        # only the test suite lowers it. A stored hash names its method, so changing this
        # never locks anybody out.
        "PASSWORD_HASH_METHOD": "scrypt",
        # Name of the body running the service, shown in the header and footer.
        "SITE_NAME": "Consorzio.IT – Eventi",
        "DEFAULT_TIMEZONE": "Europe/Rome",
        # Reverse proxies in front of the service (0: none, requests come straight in).
        "PROXY_FIX_X_FOR": 0,
        "LOG_LEVEL": "INFO",
        # Each gunicorn worker, once started, sums up in the background the events with at
        # least this many registrations (the most recently active, as many as it keeps), so
        # that their first dashboard view is not the one that reads them all: about 30 s at
        # 100,000. 0 turns it off (eventsreg/organizer/warming.py).
        "SUMMARIES_WARMED_FROM": 2000,
        # Public address of the service: links in emails and calendar files start with it.
        "BASE_URL": "http://127.0.0.1:5000",
        # Domain of calendar UIDs (event-<id>@<domain>) and email Message-IDs; None: the host
        # of BASE_URL. Calendars recognise an event by its UID: set it once, before going
        # live, if BASE_URL's host may change later.
        "ICAL_UID_DOMAIN": None,
        # Mail: with no MAIL_SERVER, messages are written to the log and kept in the outbox.
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "Eventi <noreply@localhost>",
        # Reply-To for events without a contact address.
        "MAIL_REPLY_TO": None,
        # Who receives reports of accessibility barriers (the accessibility statement's form).
        "ACCESSIBILITY_CONTACT": "accessibilita@consorzio.example.org",
        # Deliver queued mail right after the response that queued it.
        "MAIL_DELIVER_AFTER_REQUEST": True,
        "MAIL_MAX_ATTEMPTS": 8,
        "MAIL_RETRY_BASE_SECONDS": 60,
        "MAIL_RETRY_MAX_SECONDS": 3600,
        # Longest wait for the SMTP server on one operation; a worker renews its claim on a
        # message before sending it, so a claim not renewed for a minute is a dead worker's.
        "MAIL_TIMEOUT_SECONDS": 20,
        # Least time between two "send me my link" emails to one registration.
        "LINK_RESEND_INTERVAL_SECONDS": 300,
        # Seconds a process keeps a rendered public event page (eventsreg/site/page_cache.py);
        # 0 renders every request afresh.
        "EVENT_PAGE_CACHE_SECONDS": 5,
        # `flask privacy purge` anonymises registrations this many months after their event
        # ends: names, contacts and free-text answers go; counts and sums stay.
        "PRIVACY_RETENTION_MONTHS": 12,
        # The data controller, as a new event's privacy notice names it (the organiser
        # reviews it in the editor); None leaves a gap marked [da completare] to fill in.
        "DATA_CONTROLLER_NAME": None,
        "DATA_CONTROLLER_ADDRESS": None,
        # Email or PEC address for questions about personal data and requests to exercise
        # the data subject's rights.
        "DATA_CONTROLLER_CONTACT": None,
        # How to reach the data protection officer (DPO), e.g. an email address.
        "DPO_CONTACT": None,
    }


def database_url_from_env() -> str | None:
    """``DATABASE_URL`` as SQLAlchemy wants it (Heroku-style ``postgres://`` included)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
