"""Registration form, confirmation page and self-service by token."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from ..events import services as event_services
from ..extensions import limiter
from ..questions.answers import answer_warnings, answers_summary, form_value
from ..security import keep_private
from . import checkin, seats, services
from .errors import AlreadyRegistered, NotEnoughSeats, RegistrationClosed
from .forms import LinkRequestForm, RegistrationForm, WithdrawForm
from .models import Registration

bp = Blueprint("registrations", __name__)

#: Session key under which the confirmation page finds the token just issued.
_SESSION_TOKENS = "registration_tokens"
#: Event id → the personal token of a withdrawn registration whose data fill the form.
_SESSION_PREFILL = "registration_prefill"


def _locale() -> str:
    """The page's language: the registrant's emails are written in it."""
    return str(get_locale() or "it")


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


def _invalid_registration_limit() -> str:
    return current_app.config["REGISTRATION_INVALID_RATE_LIMIT"]


def _accepted(response) -> bool:
    return response.status_code == 303


# Per client address and across all events: a script hopping between events is counted once.
# Accepted registrations and refused submissions are counted apart (see config.py).
@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(
    _registration_limit, methods=["POST"], scope="registrations.register", deduct_when=_accepted
)
@limiter.limit(
    _invalid_registration_limit,
    methods=["POST"],
    scope="registrations.register.refused",
    deduct_when=lambda response: not _accepted(response),
)
def register(slug: str):
    """Show the registration form and register the person."""
    event = event_services.get_public_event(slug) or abort(404)
    # A POST's seats are counted once, under the lock (services.register): whether the event
    # takes registrations does not depend on them (a full one takes them on its waiting list).
    availability = None
    if request.method != "POST" or not seats.accepts_registrations(event):
        availability = seats.availability(event)
        if not availability.accepts_registrations:
            return render_template(
                "registrations/closed.html", event=event, availability=availability
            )
    # Read now: the registration's commit expires what the session loaded.
    event_id = event.id
    form = RegistrationForm.for_event(
        event, data=_prefill(event) if request.method == "GET" else None
    )
    if form.validate_on_submit():
        try:
            result = services.register(event, form.registration_data(locale=_locale()))
        except AlreadyRegistered:
            if _registered_here(event, form.email.data):
                # The same browser sending the form again (Back, then submit): nothing to
                # send, nothing changes; the page with the link they have is shown again.
                flash(
                    _(
                        "Questa iscrizione era già stata inviata: non è cambiato nulla. "
                        "Il link personale qui sotto continua a funzionare."
                    ),
                    "info",
                )
                return redirect(url_for(".confirmation", slug=slug), code=303)
            services.send_link(event, form.email.data, reason="registered_again")
            form.email.errors.append(
                _(
                    "Questo indirizzo email è già iscritto a questo evento: l'iscrizione "
                    "resta quella di prima. Il link personale è stato inviato di nuovo a "
                    "questo indirizzo; anche i link ricevuti prima continuano a funzionare."
                )
            )
        except NotEnoughSeats as error:
            form.offer_fewer_seats(error.seats_left, form.party_size.parsed)
        except RegistrationClosed:
            return render_template(
                "registrations/closed.html", event=event, availability=seats.availability(event)
            )
        else:
            tokens = session.get(_SESSION_TOKENS, {})
            tokens[str(event_id)] = result.token
            session[_SESSION_TOKENS] = tokens
            prefill = session.get(_SESSION_PREFILL, {})
            if prefill.pop(str(event_id), None):
                session[_SESSION_PREFILL] = prefill
            return redirect(url_for(".confirmation", slug=slug), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "registrations/form.html",
        event=event,
        form=form,
        availability=availability or seats.availability(event),
    ), status


def _session_registration(key: str, event) -> tuple[str | None, Registration | None]:
    """The personal token this browser keeps under session *key* for *event*, and its
    registration (None, None when there is none, or it belongs elsewhere)."""
    token = session.get(key, {}).get(str(event.id))
    registration = services.find_by_token(token) if token else None
    if registration is None or registration.event_id != event.id:
        return None, None
    return token, registration


def _registered_here(event, email: str) -> bool:
    """Whether this browser registered *email* to *event* (its link is in the session)."""
    _token, registration = _session_registration(_SESSION_TOKENS, event)
    return registration is not None and registration.email == (email or "").strip().lower()


def _prefill(event) -> dict | None:
    """The form's values from the registration withdrawn earlier, when its holder asked to
    register again (``register_again``); None for an empty form."""
    _token, registration = _session_registration(_SESSION_PREFILL, event)
    if registration is None or registration.is_active:
        return None
    return {**_form_data(registration), "email": registration.email}


@bp.get("/events/<slug>/registered")
def confirmation(slug: str):
    """Thank the person and give them their personal link (Post/Redirect/Get target)."""
    event = event_services.get_public_event(slug) or abort(404)
    token, registration = _session_registration(_SESSION_TOKENS, event)
    if registration is None:
        return redirect(url_for("events.detail", slug=event.slug))
    return render_template(
        "registrations/confirmation.html",
        event=event,
        registration=registration,
        summary=answers_summary(registration),
        warnings=answer_warnings(registration),
        manage_url=url_for(".manage", token=token, _external=True),
        position=seats.waitlist_position(registration),
    )


def _registration_or_404(token: str) -> Registration:
    """The registration of the link *token*; a link that does not (or no longer) work gets
    a page that says why it may be and how to get a new one, with status 404."""
    registration = services.find_by_token(token)
    if registration is None:
        upcoming, _past = event_services.public_events()
        page = render_template("registrations/link_unknown.html", events=upcoming)
        abort(make_response(page, 404))
    return registration


@bp.route("/r/<token>", methods=["GET", "POST"])
def manage(token: str):
    """Let the holder of the link see and change their registration."""
    registration = _registration_or_404(token)
    event = registration.event
    form = None
    if registration.is_active and not event.is_cancelled:
        form = RegistrationForm.for_event(event, editing=True, data=_form_data(registration))
        if form.validate_on_submit():
            try:
                services.update(
                    registration,
                    form.registration_data(locale=_locale(), email=registration.email),
                )
            except NotEnoughSeats as error:
                # Without a party size asked, the one person is what does not fit.
                (form.party_size if "party_size" in form else form.attendance).errors.append(
                    _(
                        "Restano %(n)d posti in presenza: "
                        "non è possibile aggiungere altre persone.",
                        n=error.seats_left,
                    )
                )
            except RegistrationClosed:
                abort(409)
            else:
                flash(_("Le modifiche sono state salvate."), "success")
                return redirect(url_for(".manage", token=token), code=303)
    status = 400 if form is not None and form.is_submitted() else 200
    return render_template(
        "registrations/manage.html",
        event=event,
        registration=registration,
        form=form,
        summary=answers_summary(registration),
        warnings=answer_warnings(registration),
        position=seats.waitlist_position(registration),
        withdraw_form=WithdrawForm(),
        token=token,
        qr=checkin.qr_svg(token) if checkin.shows_qr(registration) else None,
    ), status


def _form_data(registration: Registration) -> dict:
    data = {
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "phone": registration.phone,
        "company_name": registration.company_name,
        "vat_number": registration.vat_number,
        "tax_code": registration.tax_code,
        "attendance": registration.attendance.value,
        "party_size": str(registration.party_size or 1),
        "marketing_consent": registration.marketing_consent_at is not None,
    }
    answers = registration.answers_by_question()
    for question in registration.event.active_questions:
        data[question.field_name] = form_value(question, answers.get(question.id))
    return data


@bp.route("/r/<token>/withdraw", methods=["GET", "POST"])
def withdraw(token: str):
    """Ask for confirmation, then withdraw the registration."""
    registration = _registration_or_404(token)
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw(registration)
        flash(_("L'iscrizione è stata ritirata."), "success")
        return redirect(url_for(".manage", token=token), code=303)
    if not registration.is_active:
        return redirect(url_for(".manage", token=token))
    return render_template(
        "registrations/withdraw.html",
        event=registration.event,
        registration=registration,
        form=form,
        token=token,
    )


@bp.post("/r/<token>/register-again")
def register_again(token: str):
    """Open the registration form filled in with the withdrawn registration's data."""
    registration = _registration_or_404(token)
    if not WithdrawForm().validate_on_submit():
        abort(400)
    prefill = session.get(_SESSION_PREFILL, {})
    prefill[str(registration.event_id)] = token
    session[_SESSION_PREFILL] = prefill
    return redirect(url_for(".register", slug=registration.event.slug), code=303)


@bp.post("/r/<token>/stop-attending")
def stop_attending(token: str):
    """Keep the expression of interest, give up attending."""
    registration = _registration_or_404(token)
    if not WithdrawForm().validate_on_submit():
        abort(400)
    if not registration.event.allows_interest_only or not registration.is_attending:
        return redirect(url_for(".manage", token=token), code=303)
    try:
        services.stop_attending(registration)
    except RegistrationClosed:
        flash(_("L'iscrizione non si può più modificare."), "error")
    else:
        flash(
            _(
                "Fatto: la partecipazione all'incontro è annullata, la manifestazione di "
                "interesse resta."
            ),
            "success",
        )
    return redirect(url_for(".manage", token=token), code=303)


def _link_limit() -> str:
    return current_app.config["LINK_RATE_LIMIT"]


@bp.route("/events/<slug>/link", methods=["GET", "POST"])
@limiter.limit(_link_limit, methods=["POST"])
def request_link(slug: str):
    """Email the personal link again; the answer never says whether the address is registered."""
    event = event_services.get_public_event(slug) or abort(404)
    form = LinkRequestForm()
    if form.validate_on_submit():
        services.send_link(event, form.email.data)
        return render_template("registrations/link_sent.html", event=event, email=form.email.data)
    status = 400 if form.is_submitted() else 200
    return render_template("registrations/link_request.html", event=event, form=form), status


@bp.get("/events/<slug>/privacy")
def privacy(slug: str):
    """Show the event's privacy notice."""
    event = event_services.get_public_event(slug) or abort(404)
    return render_template(
        "registrations/privacy.html",
        event=event,
        retention_months=current_app.config["PRIVACY_RETENTION_MONTHS"],
        organizers=[line.strip() for line in event.organizers.splitlines() if line.strip()],
    )


@bp.after_request
def _no_referrer(response):
    # Self-service URLs carry the token: never leak them to other sites or caches.
    if request.path.startswith("/r/") or request.endpoint == "registrations.confirmation":
        keep_private(response)
    return response
