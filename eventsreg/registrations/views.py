"""Registration form, confirmation page and self-service by token."""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
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
from ..privacy import services as privacy_services
from ..privacy.forms import EraseForm
from . import checkin, services
from .forms import LinkRequestForm, RegistrationForm, WithdrawForm
from .models import AttendanceMode, Registration
from .questions import answer_warnings, answers_summary, form_value

bp = Blueprint("registrations", __name__)

#: Session key under which the confirmation page finds the token just issued.
_SESSION_TOKENS = "registration_tokens"


def _data_from(
    form: RegistrationForm, registration: Registration | None = None
) -> services.RegistrationData:
    return services.RegistrationData(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        email=form.email.data if "email" in form else registration.email,
        phone=form.phone.data or "",
        company_name=form.company_name.data,
        vat_number=form.vat_number.data or "",
        tax_code=form.tax_code.data or "",
        attendance=AttendanceMode(form.attendance.data),
        party_size=form.party_size.parsed,
        marketing_consent=bool(form.marketing_consent.data),
        locale=str(get_locale() or "it"),
        answers={q.id: field.parsed for q, field in form.question_fields()},
    )


def _registration_limit() -> str:
    return current_app.config["REGISTRATION_RATE_LIMIT"]


# Per client address and across all events: a script hopping between events is counted once.
@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def register(slug: str):
    """Show the registration form and register the person."""
    event = event_services.get_public_event(slug) or abort(404)
    availability = event_services.availability(event)
    if not availability.accepts_registrations:
        return render_template("registrations/closed.html", event=event, availability=availability)
    form = RegistrationForm.for_event(event)
    if form.validate_on_submit():
        try:
            result = services.register(event, _data_from(form))
        except services.AlreadyRegistered:
            services.send_link(event, form.email.data)
            form.email.errors.append(
                _(
                    "Questo indirizzo email è già iscritto a questo evento. Ti abbiamo inviato "
                    "di nuovo il link personale per vedere o modificare l'iscrizione."
                )
            )
        except services.RegistrationClosed:
            return render_template(
                "registrations/closed.html", event=event, availability=availability
            )
        else:
            tokens = session.get(_SESSION_TOKENS, {})
            tokens[str(event.id)] = result.token
            session[_SESSION_TOKENS] = tokens
            return redirect(url_for(".confirmation", slug=event.slug), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "registrations/form.html", event=event, form=form, availability=availability
    ), status


@bp.get("/events/<slug>/registered")
def confirmation(slug: str):
    """Thank the person and give them their personal link (Post/Redirect/Get target)."""
    event = event_services.get_public_event(slug) or abort(404)
    token = session.get(_SESSION_TOKENS, {}).get(str(event.id))
    registration = services.find_by_token(token) if token else None
    if registration is None or registration.event_id != event.id:
        return redirect(url_for("events.detail", slug=event.slug))
    return render_template(
        "registrations/confirmation.html",
        event=event,
        registration=registration,
        summary=answers_summary(registration),
        warnings=answer_warnings(registration),
        manage_url=url_for(".manage", token=token, _external=True),
        position=services.waitlist_position(registration),
    )


def _registration_or_404(token: str) -> Registration:
    return services.find_by_token(token) or abort(404)


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
                services.update(registration, _data_from(form, registration))
            except services.NotEnoughSeats as error:
                form.party_size.errors.append(
                    _(
                        "Restano %(n)d posti in presenza: "
                        "non è possibile aggiungere altre persone.",
                        n=error.seats_left,
                    )
                )
            except services.RegistrationClosed:
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
        position=services.waitlist_position(registration),
        withdraw_form=WithdrawForm(),
        token=token,
        qr=checkin.qr_svg(token) if _shows_qr(registration) else None,
    ), status


def _shows_qr(registration: Registration) -> bool:
    """In-person attendees get a QR code to show at the door."""
    return (
        registration.is_attending
        and registration.attendance is AttendanceMode.in_person
        and not registration.event.is_cancelled
    )


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
        flash(_("La tua iscrizione è stata ritirata."), "success")
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


@bp.get("/r/<token>/data.json")
def personal_data(token: str):
    """Download everything stored about the registrant, as JSON."""
    registration = _registration_or_404(token)
    body = json.dumps(privacy_services.personal_data(registration), ensure_ascii=False, indent=2)
    filename = f"iscrizione-{registration.event.slug}.json"
    return Response(
        body + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/r/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    """Explain what erasing means, then erase the registration and its data."""
    registration = _registration_or_404(token)
    event = registration.event
    form = EraseForm()
    if form.validate_on_submit():
        privacy_services.erase(registration)
        flash(
            _(
                "La tua iscrizione e i tuoi dati sono stati cancellati. "
                "Ti abbiamo inviato una email di conferma."
            ),
            "success",
        )
        # The personal link is dead now: the visitor lands on a page without it.
        if event_services.get_public_event(event.slug) is not None:
            return redirect(url_for("events.detail", slug=event.slug), code=303)
        return redirect(url_for("events.index"), code=303)
    return render_template(
        "registrations/erase.html",
        event=event,
        registration=registration,
        form=form,
        token=token,
        retention_months=current_app.config["PRIVACY_RETENTION_MONTHS"],
    )


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
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response
