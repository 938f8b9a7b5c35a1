"""Check-in at the door: a searchable list with one-tap check-in, the QR scan page, print."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..forms import BaseForm, clean_line
from ..registrations import checkin as door
from ..registrations import links
from ..registrations.models import AttendanceMode, Registration, RegistrationStatus
from . import bp
from .auth import managed_event_or_404, managed_registration_or_404

#: Who is expected at the door: confirmed people, in person or online (they may turn up).
EXPECTED = (RegistrationStatus.confirmed,)


def _door_list(event, search: str = ""):
    query = (
        sa.select(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(EXPECTED))
        .where(Registration.attendance != AttendanceMode.not_attending)
        .order_by(sa.func.lower(Registration.last_name), sa.func.lower(Registration.first_name))
    )
    if search:
        word = search.lower()
        query = query.where(
            sa.or_(
                sa.func.lower(Registration.first_name + " " + Registration.last_name).contains(
                    word, autoescape=True
                ),
                sa.func.lower(Registration.company_name).contains(word, autoescape=True),
                Registration.email.contains(word, autoescape=True),
            )
        )
    return list(db.session.scalars(query))


@bp.get("/events/<slug>/checkin")
def checkin(slug: str):
    """The door list: search by name or company, check in with one tap."""
    event = managed_event_or_404(slug)
    search = clean_line(request.args.get("q") or "")[:100]
    people = _door_list(event, search)
    arrived = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Registration.checked_in_count), 0)).where(
            Registration.event_id == event.id, Registration.checked_in_at.is_not(None)
        )
    )
    return render_template(
        "organizer/checkin.html",
        event=event,
        people=people,
        search=search,
        arrived=arrived,
        form=BaseForm(),
    )


@bp.get("/events/<slug>/checkin/print")
def checkin_print(slug: str):
    """A printable attendee list with a column to sign."""
    event = managed_event_or_404(slug)
    return render_template("organizer/checkin_print.html", event=event, people=_door_list(event))


@bp.post("/events/<slug>/checkin/<int:registration_id>")
def checkin_toggle(slug: str, registration_id: int):
    """Check someone in, or undo it (a mistaken tap)."""
    event = managed_event_or_404(slug)
    registration = managed_registration_or_404(event, registration_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    people = _people(request.form.get("people"))
    if request.form.get("undo"):
        door.undo_check_in(registration)
        flash(_("Ingresso annullato per %(name)s.", name=registration.full_name), "success")
    elif door.check_in(registration, people=people):
        if registration.party_size > 1:
            flash(
                _(
                    "Ingresso registrato: %(name)s, %(arrived)d di %(party)d persone.",
                    name=registration.full_name,
                    arrived=registration.checked_in_count,
                    party=registration.party_size,
                ),
                "success",
            )
        else:
            flash(_("Ingresso registrato: %(name)s.", name=registration.full_name), "success")
    else:
        flash(_("Ingresso già registrato: %(name)s.", name=registration.full_name), "error")
    back = request.form.get("next")
    if back == "scan":
        return redirect(
            url_for(".registration_checkin", slug=slug, registration_id=registration.id), code=303
        )
    return redirect(
        url_for(".checkin", slug=slug, q=request.form.get("q") or None) + f"#r{registration.id}",
        code=303,
    )


def _people(raw: str | None) -> int | None:
    """The number of people typed at the door, or None (the whole party)."""
    try:
        return int(raw) if raw and raw.strip().isdigit() and len(raw.strip()) < 4 else None
    except ValueError:
        return None


@bp.get("/checkin/<token>")
def checkin_scan(token: str):
    """Where the QR code of a confirmation email leads: that registration's check-in."""
    registration = links.find_by_checkin_token(token)
    if registration is None or not current_user.can_manage(registration.event):
        abort(404)
    return redirect(
        url_for(
            ".registration_checkin", slug=registration.event.slug, registration_id=registration.id
        )
    )


@bp.get("/events/<slug>/checkin/<int:registration_id>")
def registration_checkin(slug: str, registration_id: int):
    """One person at the door, with the check-in button."""
    event = managed_event_or_404(slug)
    registration = managed_registration_or_404(event, registration_id)
    return render_template(
        "organizer/checkin_one.html", event=event, registration=registration, form=BaseForm()
    )
