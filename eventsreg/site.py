"""Site-wide routes: health check and language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("site", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the service and its database answer."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database unreachable")
        database = "unreachable"
    ok = database == "ok"
    return jsonify(status="ok" if ok else "error", database=database), 200 if ok else 503


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language and go back where the person was."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_local_url(request.args.get("next")) or url_for("events.index"))


def _local_url(target: str | None) -> str | None:
    """*target* if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
