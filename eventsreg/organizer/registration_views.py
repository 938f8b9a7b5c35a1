"""An event's registrations for its organisers: the table, one registration, adding one."""

from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..events.models import Event
from ..extensions import db
from ..formatting import ngettext
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
from . import bp, registration_bulk, registration_list
from .auth import managed_event_or_404, managed_registration_or_404
from .downloads import registrations_download
from .models import Organizer
from .registration_forms import (
    ActionForm,
    BulkActionForm,
    FilterForm,
    ManualRegistrationForm,
    WithdrawOnBehalfForm,
)

#: Session key of the columns each event's list shows: {event id: [column keys]}.
COLUMNS_KEY = "registration_columns"
#: Events whose column choice the session remembers (the most recently changed).
REMEMBERED_EVENTS = 10


def _list_args(event: Event, args: MultiDict) -> tuple[FilterForm, dict[str, str]]:
    """The filter form read from *args*, and the values that travel on in the list's
    links: only the form's own fields (a stray ?slug= must not reach url_for)."""
    form = FilterForm.for_event(event, formdata=args)
    kept = {key: value for key, value in args.items() if key in form and value}
    return form, kept


def _columns(event: Event) -> list[registration_list.Column]:
    """The optional columns shown: as just chosen (and then remembered for the event in
    the session), as remembered, or the default."""
    available = {column.key for column in registration_list.available_columns(event)}
    remembered = session.get(COLUMNS_KEY)
    remembered = dict(remembered) if isinstance(remembered, dict) else {}
    key = str(event.id)
    if request.args.get("cols") == "1":  # the "Colonne" form was sent
        chosen = [k for k in request.args.getlist("col") if k in available]
        remembered.pop(key, None)
        remembered[key] = chosen
        session[COLUMNS_KEY] = dict(list(remembered.items())[-REMEMBERED_EVENTS:])
    stored = remembered.get(key)
    if isinstance(stored, list):
        return registration_list.chosen_columns(event, [k for k in stored if k in available])
    return registration_list.chosen_columns(event, None)


@bp.get("/events/<slug>/registrations")
def registrations(slug: str):
    """The registrations, searched, filtered and sorted, a page at a time."""
    event = managed_event_or_404(slug)
    form, kept = _list_args(event, request.args)
    form.validate()  # only to show a too-long search next to its field
    sort = registration_list.parse_sort(form.sort.data)
    size = registration_list.parse_size(form.size.data)
    columns = _columns(event)
    questions = [column.question for column in columns if column.question is not None]
    page = registration_list.list_page(
        event,
        form.filters(),
        sort,
        page=request.args.get("page", 1, type=int),
        size=size,
        questions=questions,
    )
    filter_args = {k: v for k, v in kept.items() if k not in FilterForm.LAYOUT_FIELDS}

    def page_url(number: int) -> str:
        return url_for(".registrations", slug=event.slug, **kept, page=number)

    def sort_url(key: str) -> str:
        return url_for(".registrations", slug=event.slug, **{**kept, "sort": sort.link_for(key)})

    bulk_form = BulkActionForm(formdata=None, back=urlencode({**kept, "page": page.number}))
    return render_template(
        "organizer/registrations.html",
        event=event,
        form=form,
        page=page,
        page_url=page_url,
        sort=sort,
        sort_url=sort_url,
        sort_label=registration_list.sort_label(sort.key),
        columns=columns,
        shown={column.key for column in columns},
        available_columns=registration_list.available_columns(event),
        kept=kept,
        filtered=bool(filter_args),
        clear_url=url_for(
            ".registrations",
            slug=event.slug,
            **{k: v for k, v in kept.items() if k in FilterForm.LAYOUT_FIELDS},
        ),
        message_args={k: v for k, v in filter_args.items() if k != "q"},
        positions=registration_list.waitlist_positions(event, page.items),
        pending=admin.count_pending(event),
        bulk_form=bulk_form,
        breakable_email=registration_list.breakable_email,
    )


@bp.post("/events/<slug>/registrations/bulk")
def registrations_bulk(slug: str):
    """One action on the registrations ticked in the table, then back to the same list."""
    event = managed_event_or_404(slug)
    form = BulkActionForm()
    if not form.validate_on_submit():
        abort(400)
    back_args = MultiDict(parse_qsl(form.back.data or "", max_num_fields=100))
    _form, kept = _list_args(event, back_args)
    page = back_args.get("page", "")
    if page.isdigit() and len(page) < 7:
        kept["page"] = page
    back = redirect(url_for(".registrations", slug=event.slug, **kept), code=303)
    action = form.chosen_action()
    chosen = registration_bulk.selected(event, form.ids.data or [])
    if action is None:
        flash(_("Scegli che cosa fare con le iscrizioni selezionate."), "error")
        return back
    if not chosen:
        flash(_("Nessuna iscrizione selezionata: spunta le righe su cui agire."), "error")
        return back
    if action == "message":
        ids = ",".join(str(registration.id) for registration in chosen)
        return redirect(url_for(".messages", slug=event.slug, ids=ids), code=303)
    if action.startswith("export_"):
        return _export_selection(event, action, chosen)
    outcome = registration_bulk.ACTIONS[action](chosen)
    flash(registration_bulk.summary(action, outcome), "success" if outcome.done else "error")
    return back


def _export_selection(event: Event, action: str, chosen: list[Registration]):
    """The selected registrations as CSV or XLSX, logged like every export."""
    ids = [registration.id for registration in chosen]
    return registrations_download(
        event,
        "xlsx" if action == "export_xlsx" else "csv",
        delimiter="," if action == "export_csv_comma" else ";",
        ids=ids,
        filters=f"selezione di {len(ids)}: " + ", ".join(map(str, ids))[:460],
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
                "Non ci sono abbastanza posti: ne resta %(num)s, ne servono %(needed)s. "
                "Aumenta i posti dell'evento o attendi un ritiro.",
                "Non ci sono abbastanza posti: ne restano %(num)s, ne servono %(needed)s. "
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
                "%(num)s iscrizione in lista d'attesa ha ricevuto il posto.",
                "%(num)s iscrizioni in lista d'attesa hanno ricevuto il posto.",
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
