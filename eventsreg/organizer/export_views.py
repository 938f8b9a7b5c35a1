"""Downloads of an event's registrations as CSV and XLSX, streamed as they are built."""

from collections.abc import Callable, Iterator
from datetime import datetime

import sqlalchemy as sa
from flask import Response, render_template, request, stream_with_context
from flask_login import current_user

from .. import exports
from ..events.models import Event
from ..extensions import db
from . import bp, services
from .auth import managed_event_or_404
from .models import ExportRecord

#: Entries shown on the export log page, newest first.
LOG_PAGE_SIZE = 200


def _record_download(event: Event, file_format: str) -> None:
    services.record_export(
        event,
        file_format,
        current_user.email,
        organizer_id=current_user.id,
        remote_addr=(request.remote_addr or "")[:64],
    )


def _chunks(event_id: int, export: Callable[..., Iterator[bytes]], **options) -> Iterator[bytes]:
    # Under a WSGI server the body is read after the view's app context has ended, and
    # the session that loaded the event with it: stream_with_context gives this generator
    # a new context and session, so the event is loaded again here.
    event = db.session.get(Event, event_id)
    if event is not None:
        yield from export(event, **options)


def _download(event: Event, chunks: Iterator[bytes], extension: str, mimetype: str) -> Response:
    filename = exports.export_filename(event, extension, datetime.now(event.tz).date())
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Registrants' personal data: no copy in any cache.
            "Cache-Control": "no-store",
        },
    )


@bp.get("/events/<slug>/registrations.csv")
def export_csv(slug: str):
    """The registrations as CSV: ";" for Italian settings, "," with ?sep=comma."""
    event = managed_event_or_404(slug)
    delimiter = "," if request.args.get("sep") == "comma" else ";"
    _record_download(event, "csv")
    chunks = _chunks(event.id, exports.csv_chunks, delimiter=delimiter)
    return _download(event, chunks, "csv", "text/csv; charset=utf-8")


@bp.get("/events/<slug>/registrations.xlsx")
def export_xlsx(slug: str):
    """The registrations as an Excel workbook."""
    event = managed_event_or_404(slug)
    _record_download(event, "xlsx")
    chunks = _chunks(event.id, exports.xlsx_chunks)
    return _download(event, chunks, "xlsx", exports.XLSX_MIMETYPE)


@bp.get("/events/<slug>/exports")
def export_log(slug: str):
    """Who downloaded the event's registrations, and when (newest first)."""
    event = managed_event_or_404(slug)
    entries = db.session.scalars(
        sa.select(ExportRecord)
        .where(ExportRecord.event_id == event.id)
        .order_by(ExportRecord.created_at.desc(), ExportRecord.id.desc())
        .limit(LOG_PAGE_SIZE)
    ).all()
    return render_template("organizer/export_log.html", event=event, entries=entries)
