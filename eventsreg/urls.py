"""Absolute URLs for links that leave the site (emails, calendar files, QR codes)."""

from urllib.parse import urlsplit

from flask import current_app


def base_url() -> str:
    """The public address of the service (BASE_URL)."""
    return current_app.config["BASE_URL"].rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """An absolute URL built on BASE_URL.

    Works outside requests too (delivery workers, CLI), where url_for cannot.
    """
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
