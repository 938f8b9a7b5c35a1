"""Actions on several registrations at once, ticked in the organiser's table.

Each registration goes through the same service as its own page's button (approve,
reject, check in), one after the other, oldest first, so seats, emails and checks are
exactly the single action's. What happened is counted, and said in numbers.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ..events.models import Event
from ..extensions import db
from ..formatting import ngettext
from ..registrations import checkin as door
from ..registrations import services
from ..registrations.errors import NotPending
from ..registrations.models import AttendanceMode, Registration, RegistrationStatus


def selected(event: Event, ids: Iterable[int]) -> list[Registration]:
    """The registrations of *event* among *ids*, oldest first; ids of other events, or of
    nothing, are left out."""
    ids = sorted(set(ids))
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.id.in_(ids))
            .order_by(Registration.created_at, Registration.id)
        )
    )


@dataclass
class Outcome:
    #: Registrations the action changed.
    done: int = 0
    #: Of those, approved onto the waiting list (the room is full).
    waitlisted: int = 0
    #: Checked in already (the whole party): nothing to do.
    already: int = 0
    #: The action does not apply to them (not pending; not expected at the door).
    skipped: int = 0


def approve(registrations: list[Registration]) -> Outcome:
    """Approve the pending ones, as the approve button does (seat or waiting list, email)."""
    outcome = Outcome()
    for registration in registrations:
        try:
            services.approve(registration)
        except NotPending:
            db.session.rollback()  # ends the seat lock taken for nothing
            outcome.skipped += 1
            continue
        outcome.done += 1
        if registration.status is RegistrationStatus.waitlisted:
            outcome.waitlisted += 1
    return outcome


def reject(registrations: list[Registration]) -> Outcome:
    """Refuse the pending ones, as the reject button does (with its email)."""
    outcome = Outcome()
    for registration in registrations:
        try:
            services.reject(registration)
        except NotPending:
            db.session.rollback()
            outcome.skipped += 1
        else:
            outcome.done += 1
    return outcome


def expected_at_the_door(registration: Registration) -> bool:
    """Confirmed, in person or online: who the door list shows."""
    return (
        registration.status is RegistrationStatus.confirmed
        and registration.attendance is not AttendanceMode.not_attending
    )


def check_in(registrations: list[Registration]) -> Outcome:
    """Record the arrival of the whole party of each one expected at the door."""
    outcome = Outcome()
    for registration in registrations:
        if not expected_at_the_door(registration):
            outcome.skipped += 1
        elif door.check_in(registration):
            outcome.done += 1
        else:
            outcome.already += 1
    return outcome


ACTIONS = {"approve": approve, "reject": reject, "checkin": check_in}


def summary(action: str, outcome: Outcome) -> str:
    """What an action did, in numbers: "3 iscrizioni approvate; 1 non era in attesa…"."""
    parts = []
    if action == "approve":
        parts.append(
            ngettext("%(num)s iscrizione approvata", "%(num)s iscrizioni approvate", outcome.done)
        )
        if outcome.waitlisted:
            parts.append(
                ngettext(
                    "%(num)s è in lista d'attesa perché i posti sono esauriti",
                    "%(num)s sono in lista d'attesa perché i posti sono esauriti",
                    outcome.waitlisted,
                )
            )
    elif action == "reject":
        parts.append(
            ngettext(
                "%(num)s iscrizione non accettata", "%(num)s iscrizioni non accettate", outcome.done
            )
        )
    else:
        parts.append(
            ngettext("%(num)s ingresso registrato", "%(num)s ingressi registrati", outcome.done)
        )
        if outcome.already:
            parts.append(
                ngettext(
                    "%(num)s era già registrato", "%(num)s erano già registrati", outcome.already
                )
            )
    if outcome.skipped:
        if action == "checkin":
            parts.append(
                ngettext(
                    "%(num)s non è confermata per partecipare, quindi non è stata toccata",
                    "%(num)s non sono confermate per partecipare, quindi non sono state toccate",
                    outcome.skipped,
                )
            )
        else:
            parts.append(
                ngettext(
                    "%(num)s non era in attesa di approvazione",
                    "%(num)s non erano in attesa di approvazione",
                    outcome.skipped,
                )
            )
    text = "; ".join(parts) + "."
    if action in ("approve", "reject") and outcome.done:
        text += " " + _("Ogni persona riceve un'email.")
    return text
