"""Downloads of an event's registrations as CSV and XLSX, streamed as they are built."""

import sqlalchemy as sa
from flask import render_template, request

from ..extensions import db
from . import bp
from .auth import managed_event_or_404
from .downloads import registrations_download
from .models import ExportRecord

#: Entries shown on the export log page, newest first.
LOG_PAGE_SIZE = 200


@bp.get("/events/<slug>/registrations.csv")
def export_csv(slug: str):
    """The registrations as CSV: ";" for Italian settings, "," with ?sep=comma."""
    event = managed_event_or_404(slug)
    delimiter = "," if request.args.get("sep") == "comma" else ";"
    return registrations_download(event, "csv", delimiter=delimiter)


@bp.get("/events/<slug>/registrations.xlsx")
def export_xlsx(slug: str):
    """The registrations as an Excel workbook."""
    event = managed_event_or_404(slug)
    return registrations_download(event, "xlsx")


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
