"""An event's registrations as a CSV or XLSX download: logged, then streamed as built."""

from collections.abc import Iterator
from datetime import datetime

from flask import Response, request, stream_with_context
from flask_login import current_user

from .. import exports
from ..events.models import Event
from ..extensions import db
from . import services

#: (extension, MIME type) of each download format.
FORMATS = {
    "csv": ("csv", "text/csv; charset=utf-8"),
    "xlsx": ("xlsx", exports.XLSX_MIMETYPE),
}


def registrations_download(
    event: Event,
    file_format: str,
    *,
    delimiter: str = ";",
    ids: list[int] | None = None,
    filters: str | None = None,
) -> Response:
    """Record who downloads what in the export log, then stream the file: every
    registration of *event*, or only those in *ids* (a selection, described by *filters*)."""
    services.record_export(
        event,
        file_format,
        current_user.email,
        organizer_id=current_user.id,
        remote_addr=(request.remote_addr or "")[:64],
        filters=filters or "",
    )
    options: dict = {"ids": ids} if ids is not None else {}
    if file_format == "csv":
        options["delimiter"] = delimiter
    extension, mimetype = FORMATS[file_format]
    filename = exports.export_filename(event, extension, datetime.now(event.tz).date())
    return Response(
        stream_with_context(_chunks(event.id, file_format, options)),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Registrants' personal data: no copy in any cache.
            "Cache-Control": "no-store",
        },
    )


def _chunks(event_id: int, file_format: str, options: dict) -> Iterator[bytes]:
    # Under a WSGI server the body is read after the view's app context has ended, and
    # the session that loaded the event with it: stream_with_context gives this generator
    # a new context and session, so the event is loaded again here.
    event = db.session.get(Event, event_id)
    if event is not None:
        export = exports.csv_chunks if file_format == "csv" else exports.xlsx_chunks
        yield from export(event, **options)
