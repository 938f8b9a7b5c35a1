"""Downloads of an event's registrations as CSV and XLSX, streamed as they are built."""

from datetime import datetime

from flask import Response, request, stream_with_context

from .. import exports
from ..events.models import Event
from .auth import managed_event_or_404
from .views import bp


def _download(event: Event, chunks, extension: str, mimetype: str) -> Response:
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
    chunks = exports.csv_chunks(event, delimiter)
    return _download(event, chunks, "csv", "text/csv; charset=utf-8")


@bp.get("/events/<slug>/registrations.xlsx")
def export_xlsx(slug: str):
    """The registrations as an Excel workbook."""
    event = managed_event_or_404(slug)
    return _download(event, exports.xlsx_chunks(event), "xlsx", exports.XLSX_MIMETYPE)
