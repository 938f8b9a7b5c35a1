"""Configuration defaults.

Precedence, lowest first: these defaults, ``instance/config.py``, the
``DATABASE_URL`` environment variable, then ``EVENTSREG_<KEY>`` variables.
"""

import os

LANGUAGES = ("it", "en")


def defaults(instance_path: str) -> dict:
    """The built-in configuration for an app whose instance folder is *instance_path*."""
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "eventsreg.sqlite"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Registration forms are small; anything bigger is refused with 413 before parsing.
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "MAX_FORM_MEMORY_SIZE": 256 * 1024,
        "BABEL_DEFAULT_LOCALE": "it",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Rome",
        "LANGUAGES": LANGUAGES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # Name of the body running the service, shown in the header and footer.
        "SITE_NAME": "Consorzio.IT – Eventi",
        "DEFAULT_TIMEZONE": "Europe/Rome",
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
