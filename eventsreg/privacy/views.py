"""A registrant's rights from their personal page: download their data, erase it."""

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..events import services as event_services
from ..registrations.models import Registration
from ..registrations.services import find_by_token
from ..security import keep_private
from . import services
from .forms import EraseForm

bp = Blueprint("privacy", __name__)


@bp.after_request
def _private(response):
    # These addresses carry the personal token.
    return keep_private(response)


def _registration_or_404(token: str) -> Registration:
    return find_by_token(token) or abort(404)


@bp.get("/r/<token>/data.json")
def personal_data(token: str):
    """Download everything stored about the registrant, as JSON."""
    registration = _registration_or_404(token)
    body = json.dumps(services.personal_data(registration), ensure_ascii=False, indent=2)
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
        services.erase(registration)
        flash(
            _(
                "L'iscrizione e i suoi dati sono stati cancellati. "
                "È stata inviata un'email di conferma."
            ),
            "success",
        )
        # The personal link is dead now: the visitor lands on a page without it.
        if event_services.get_public_event(event.slug) is not None:
            return redirect(url_for("events.detail", slug=event.slug), code=303)
        return redirect(url_for("events.index"), code=303)
    return render_template(
        "privacy/erase.html",
        event=event,
        registration=registration,
        form=form,
        token=token,
        retention_months=current_app.config["PRIVACY_RETENTION_MONTHS"],
    )
