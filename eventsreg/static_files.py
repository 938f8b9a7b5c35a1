"""Static files with their content's fingerprint in the URL, kept by browsers for a year.

Every ``url_for("static", filename=…)`` gets ``?v=<first 12 hex digits of the file's
SHA-256>``; a response asked for with the current fingerprint may be cached for a year and
is never revalidated (``immutable``). A changed file has a new fingerprint, so a visitor
never keeps an old stylesheet, and a repeat visit costs no request for the kit's 240 KB
stylesheet, its fonts and icons. Without the fingerprint (or with an old one) Flask's
default applies: revalidation with ETag / Last-Modified. Files that carry their hash in
their own name (the kit's fonts, named so by `make vendor`: ``name.<10 hex digits>.woff2``)
are cached the same way when the stylesheet asks for them.
"""

import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Flask, current_app, request, url_for

ONE_YEAR = 365 * 24 * 3600
HASHED_NAME = re.compile(r"\.[0-9a-f]{10}\.[a-z0-9]+$")
_URLS = "eventsreg.static_urls"


def static_url(filename: str) -> str:
    """``url_for("static", filename=…)``, fingerprint included: the same on every page
    (fingerprints are read once per process), so worked out once per script root."""
    kept = current_app.extensions.setdefault(_URLS, {})
    key = (request.script_root, filename)
    url = kept.get(key)
    if url is None:
        url = kept[key] = url_for("static", filename=filename)
    return url


def init_app(app: Flask) -> None:
    folder = Path(app.static_folder or "")

    @cache
    def fingerprint(filename: str) -> str | None:
        path = (folder / filename).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values:
            if version := fingerprint(values.get("filename", "")):
                values["v"] = version

    default_max_age = app.get_send_file_max_age

    def get_send_file_max_age(filename: str | None) -> int | None:
        version = request.args.get("v")
        if filename and version and version == fingerprint(filename):
            return ONE_YEAR
        if filename and HASHED_NAME.search(filename):
            return ONE_YEAR
        return default_max_age(filename)

    app.get_send_file_max_age = get_send_file_max_age

    @app.after_request
    def immutable(response):
        if request.endpoint == "static" and response.cache_control.max_age == ONE_YEAR:
            response.cache_control.immutable = True
        return response
