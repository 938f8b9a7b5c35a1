"""The outbox as organisers see it: each message's delivery state, and retry."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..events.models import Event
from ..extensions import db
from ..forms import BaseForm
from ..mail import delivery
from ..mail.models import OUTBOX_STATUS_LABELS, OutboxEmail, OutboxStatus
from ..organizer.models import Organizer
from . import bp

PAGE_SIZE = 100


def _visible():
    """Messages of the events this organiser manages (administrators see all)."""
    query = sa.select(OutboxEmail)
    if not current_user.is_admin:
        query = query.join(Event, Event.id == OutboxEmail.event_id).where(
            Event.managers.any(Organizer.id == current_user.id)
        )
    return query


@bp.get("/outbox")
def outbox():
    """Emails with their delivery state, newest first; filter by state."""
    query = _visible().order_by(OutboxEmail.id.desc()).limit(PAGE_SIZE)
    status = request.args.get("status")
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxEmail.status == OutboxStatus(status))
    emails = list(db.session.scalars(query))
    return render_template(
        "organizer/outbox.html",
        emails=emails,
        status=status,
        labels=OUTBOX_STATUS_LABELS,
        form=BaseForm(),
    )


@bp.post("/outbox/<int:email_id>/retry")
def outbox_retry(email_id: int):
    """Queue a failed message again."""
    if not BaseForm().validate_on_submit():
        abort(400)
    email = db.session.scalar(_visible().where(OutboxEmail.id == email_id)) or abort(404)
    if email.status is OutboxStatus.failed:
        delivery.retry(email)
        flash(_("Il messaggio è di nuovo in coda."), "success")
    return redirect(url_for(".outbox", status=request.args.get("status")), code=303)
