"""An event's registrations for its organisers: the table, one registration, adding one."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..events.models import Event
from ..extensions import db
from ..mail.models import OUTBOX_STATUS_LABELS
from ..questions.answers import answers_summary
from ..registrations import admin, seats, services
from ..registrations.errors import (
    AlreadyRegistered,
    NotEnoughSeats,
    NotPending,
    NotWaitlisted,
    RegistrationClosed,
)
from ..registrations.models import REGISTRATION_STATUS_LABELS, Registration, RegistrationStatus
from . import bp
from .auth import managed_event_or_404, managed_registration_or_404
from .models import Organizer
from .registration_forms import (
    ActionForm,
    FilterForm,
    ManualRegistrationForm,
    WithdrawOnBehalfForm,
)


@bp.get("/events/<slug>/registrations")
def registrations(slug: str):
    """The registrations, searched and filtered, a page at a time."""
    event = managed_event_or_404(slug)
    form = FilterForm.for_event(event, formdata=request.args)
    form.validate()  # only to show a too-long search next to its field
    page = admin.search(event, form.filters(), page=request.args.get("page", 1, type=int))
    # Only the form's own fields travel on in links (a stray ?slug= must not reach url_for).
    kept = {key: value for key, value in request.args.items() if key in form and value}

    def page_url(number: int) -> str:
        return url_for(".registrations", slug=event.slug, **kept, page=number)

    return render_template(
        "organizer/registrations.html",
        event=event,
        form=form,
        page=page,
        page_url=page_url,
        filtered=bool(kept),
        message_args={k: v for k, v in kept.items() if k != "q"},
        positions=seats.waitlist_positions(event),
        pending=admin.count_pending(event),
    )


def _render_detail(event: Event, registration: Registration, withdraw_form=None, status=200):
    registered_by = (
        db.session.get(Organizer, registration.registered_by_id)
        if registration.registered_by_id
        else None
    )
    return render_template(
        "organizer/registration_detail.html",
        event=event,
        registration=registration,
        summary=answers_summary(registration),
        position=seats.waitlist_position(registration),
        seats_left=seats.seats_left(event, seats.seats_taken(event)),
        registered_by=registered_by,
        emails=admin.emails_of(registration),
        outbox_labels=OUTBOX_STATUS_LABELS,
        withdraw_form=withdraw_form or WithdrawOnBehalfForm(formdata=None),
    ), status


@bp.get("/events/<slug>/registrations/<int:registration_id>")
def registration_detail(slug: str, registration_id: int):
    """One registration: its data, answers, consents, emails and the actions on it."""
    event = managed_event_or_404(slug)
    return _render_detail(event, managed_registration_or_404(event, registration_id))


def _acted_on(slug: str, registration_id: int) -> tuple[Event, Registration]:
    """The event and registration a POST action is about, once its CSRF token is checked."""
    event = managed_event_or_404(slug)
    registration = managed_registration_or_404(event, registration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return event, registration


def _back(event: Event, registration: Registration):
    return redirect(
        url_for(".registration_detail", slug=event.slug, registration_id=registration.id), code=303
    )


@bp.post("/events/<slug>/registrations/<int:registration_id>/approve")
def registration_approve(slug: str, registration_id: int):
    """Accept a pending registration; the person is told by email."""
    event, registration = _acted_on(slug, registration_id)
    try:
        services.approve(registration)
    except NotPending:
        return _not_pending(event, registration)
    if registration.status is RegistrationStatus.waitlisted:
        flash(_("Iscrizione accettata: i posti sono esauriti, è in lista d'attesa."), "success")
    else:
        flash(_("Iscrizione accettata e confermata. La persona riceve un'email."), "success")
    return _back(event, registration)


@bp.post("/events/<slug>/registrations/<int:registration_id>/reject")
def registration_reject(slug: str, registration_id: int):
    """Refuse a pending registration; the person is told by email."""
    event, registration = _acted_on(slug, registration_id)
    try:
        services.reject(registration)
    except NotPending:
        return _not_pending(event, registration)
    flash(_("Iscrizione non accettata. La persona riceve un'email."), "success")
    return _back(event, registration)


@bp.post("/events/<slug>/registrations/<int:registration_id>/confirm")
def registration_confirm(slug: str, registration_id: int):
    """Give a waitlisted registration its seats now, if the room has them."""
    event, registration = _acted_on(slug, registration_id)
    try:
        seats.confirm_from_waitlist(registration)
    except NotWaitlisted:
        flash(_("Questa iscrizione non è in lista d'attesa."), "error")
    except NotEnoughSeats as error:
        flash(
            ngettext(
                "Non ci sono abbastanza posti: ne resta %(num)d, ne servono %(needed)d. "
                "Aumenta i posti dell'evento o attendi un ritiro.",
                "Non ci sono abbastanza posti: ne restano %(num)d, ne servono %(needed)d. "
                "Aumenta i posti dell'evento o attendi un ritiro.",
                error.seats_left,
                needed=registration.party_size,
            ),
            "error",
        )
    else:
        flash(_("Iscrizione confermata. La persona riceve un'email con l'invito."), "success")
    return _back(event, registration)


@bp.post("/events/<slug>/registrations/<int:registration_id>/withdraw")
def registration_withdraw(slug: str, registration_id: int):
    """Withdraw a registration on the person's behalf, once the box is ticked."""
    event = managed_event_or_404(slug)
    registration = managed_registration_or_404(event, registration_id)
    form = WithdrawOnBehalfForm()
    if not form.validate_on_submit():
        return _render_detail(event, registration, withdraw_form=form, status=400)
    if not registration.is_active:
        flash(_("Questa iscrizione era già ritirata."), "error")
        return _back(event, registration)
    promoted = services.withdraw(registration)
    flash(_("Iscrizione ritirata. La persona riceve un'email di conferma."), "success")
    if promoted:
        flash(
            ngettext(
                "%(num)d iscrizione in lista d'attesa ha ricevuto il posto.",
                "%(num)d iscrizioni in lista d'attesa hanno ricevuto il posto.",
                len(promoted),
            ),
            "success",
        )
    return _back(event, registration)


@bp.post("/events/<slug>/registrations/<int:registration_id>/revoke-link")
def registration_revoke_link(slug: str, registration_id: int):
    """Make the personal link and QR code stop working; optionally email a new link."""
    event, registration = _acted_on(slug, registration_id)
    if admin.revoke_link(registration, send_new=bool(request.form.get("send_new"))):
        flash(_("Link revocato. La persona riceve un'email con il nuovo link."), "success")
    else:
        flash(_("Link revocato: il vecchio link e il codice QR non funzionano più."), "success")
    return _back(event, registration)


@bp.route("/events/<slug>/registrations/new", methods=["GET", "POST"])
def registration_new(slug: str):
    """Register someone on their behalf, also while registration is closed."""
    event = managed_event_or_404(slug)
    form = ManualRegistrationForm.for_event(event)
    existing = None
    if form.validate_on_submit():
        try:
            result = admin.register_by_organizer(
                event,
                form.registration_data(locale=form.locale.data),
                current_user._get_current_object(),
            )
        except AlreadyRegistered:
            existing = services.find_by_email(event, form.email.data)
            form.email.errors.append(_("Questo indirizzo email è già iscritto a questo evento."))
        except NotEnoughSeats as error:
            form.offer_fewer_seats(error.seats_left, form.party_size.parsed)
        except RegistrationClosed:
            flash(
                _("L'evento è annullato o già concluso: non si possono aggiungere iscrizioni."),
                "error",
            )
            return redirect(url_for(".registrations", slug=event.slug), code=303)
        else:
            registration = result.registration
            flash(
                _(
                    "Iscrizione aggiunta (%(status)s). La persona riceve la conferma con il "
                    "suo link personale.",
                    status=_status_words(registration),
                ),
                "success",
            )
            return _back(event, registration)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "organizer/registration_new.html",
        event=event,
        form=form,
        existing=existing,
        availability=seats.availability(event),
    ), status


def _not_pending(event: Event, registration: Registration):
    flash(_("Questa iscrizione non è più in attesa di approvazione."), "error")
    return _back(event, registration)


def _status_words(registration: Registration) -> str:
    return str(REGISTRATION_STATUS_LABELS[registration.status]).lower()
