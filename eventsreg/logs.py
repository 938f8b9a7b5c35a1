"""Logging with a request id: every log line of a request carries it, and so do error pages.

The id comes from the reverse proxy's X-Request-ID header when it sends a sane one, so
one id follows the request through the proxy's logs and ours; otherwise it is made here.
"""

import logging
import re
import uuid

from flask import Flask, g, has_request_context, request

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


def current_request_id() -> str | None:
    if not has_request_context():
        return None
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
    return g.request_id


def init_app(app: Flask) -> None:
    """Stamp each response with its request id and put the id in the app's log lines."""

    @app.after_request
    def add_request_id(response):
        response.headers["X-Request-ID"] = current_request_id()
        return response

    if not app.testing and not app.debug:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RequestIdFilter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    else:
        for handler in app.logger.handlers or logging.getLogger().handlers:
            handler.addFilter(RequestIdFilter())
