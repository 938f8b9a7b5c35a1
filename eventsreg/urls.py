"""URLs: what the routes accept, and absolute URLs for links that leave the site (emails,
calendar files, QR codes)."""

from urllib.parse import urlsplit

from flask import Flask, abort, current_app
from werkzeug.routing import IntegerConverter

#: The largest id a database column holds (64-bit signed).
MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` limited to what the database can hold: a larger number is no id of
    ours (404), not a query that overflows."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Install the converters; call before any blueprint is registered."""
    app.url_map.converters["int"] = IdConverter

    @app.url_value_preprocessor
    def refuse_nul(endpoint, values):
        # No slug or token of ours holds a NUL, and PostgreSQL refuses one in a query.
        if values and any(isinstance(v, str) and "\x00" in v for v in values.values()):
            abort(404)


def base_url() -> str:
    """The public address of the service (BASE_URL)."""
    return current_app.config["BASE_URL"].rstrip("/")


def service_domain() -> str:
    """The domain that names the service's calendar UIDs and email Message-IDs: ICAL_UID_DOMAIN,
    else BASE_URL's host. A UID never changes once given, so set it before going live."""
    return current_app.config.get("ICAL_UID_DOMAIN") or urlsplit(base_url()).hostname or "localhost"


def local_url(target: str | None) -> str | None:
    """*target* if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute URL built on BASE_URL.

    Works outside requests too (delivery workers, CLI), where url_for cannot.
    """
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
