"""Logging with a request id: every log line of a request carries it, and so do error pages.

The id comes from the reverse proxy's X-Request-ID header when it sends a sane one, so
one id follows the request through the proxy's logs and ours; otherwise it is made here.
"""

import logging
import re
import uuid

from flask import Flask, g, has_request_context, request

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: Secrets and personal data that may appear in a request line: personal links and check-in
#: codes in paths, searched names in ?q=.
_SECRET_PATH = re.compile(r"(/r/|/checkin/)[^/?#\s\"]+")
_SEARCH = re.compile(r"((?:^|[?&\s])q=)[^&#\s\"]*")
REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


def redact(text: str) -> str:
    """*text* (a URL, a request line, a log line) without personal links or searched names."""
    return _SEARCH.sub(r"\1" + REDACTED, _SECRET_PATH.sub(r"\1" + REDACTED, text))


class RedactingFilter(logging.Filter):
    """Redacts request lines logged by the development server (``werkzeug``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def gunicorn_logger_class():
    """gunicorn's logger with the access log's request line, path, query and referrer
    redacted (named in gunicorn.conf.py)."""
    # Imported here: gunicorn is there only when serving with it, not for the CLI or tests.
    from gunicorn.glogging import Logger

    class RedactingGunicornLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {
                key: redact(value) if isinstance(value, str) else value
                for key, value in atoms.items()
            }

    return RedactingGunicornLogger


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

    logging.getLogger("werkzeug").addFilter(RedactingFilter())
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
