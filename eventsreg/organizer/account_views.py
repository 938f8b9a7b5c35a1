"""Organiser accounts, for administrators: create, enable or disable, assign events."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, PasswordField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from ..events.models import Event
from ..extensions import db
from ..forms import BaseForm
from ..questions.kinds import MultiCheckboxField
from . import bp, services
from .auth import admin_required
from .forms import MIN_PASSWORD_LENGTH
from .models import Organizer


class AccountForm(BaseForm):
    email = StringField(
        _l("Email"),
        validators=[
            DataRequired(_l("Inserire l'indirizzo email.")),
            Email(_l("Inserire un indirizzo email valido.")),
            Length(max=254),
        ],
    )
    name = StringField(_l("Nome"), validators=[Length(max=200)])
    password = PasswordField(
        _l("Password iniziale"),
        description=_l(
            "Almeno %(n)d caratteri; la persona la cambierà al primo accesso.",
            n=MIN_PASSWORD_LENGTH,
        ),
        validators=[
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("La password deve avere almeno %(n)d caratteri.", n=MIN_PASSWORD_LENGTH),
            )
        ],
    )
    is_admin = BooleanField(_l("Amministratore (gestisce gli account e tutti gli eventi)"))


class AssignmentForm(BaseForm):
    is_enabled = BooleanField(_l("Account attivo"))
    is_admin = BooleanField(_l("Amministratore"))
    events = MultiCheckboxField(_l("Eventi che gestisce"), validate_choice=False)


@bp.before_request
def _admins_only():
    if request.endpoint in ("organizer.accounts", "organizer.account_edit"):
        admin_required()


@bp.route("/accounts", methods=["GET", "POST"])
def accounts():
    """List organiser accounts and create new ones."""
    form = AccountForm()
    if form.validate_on_submit():
        try:
            services.create_organizer(
                form.email.data,
                form.password.data,
                name=form.name.data,
                is_admin=form.is_admin.data,
            )
        except services.AccountError:
            form.email.errors.append(_("Esiste già un organizzatore con questa email."))
        else:
            flash(_("Account creato."), "success")
            return redirect(url_for(".accounts"), code=303)
    organizers = list(db.session.scalars(sa.select(Organizer).order_by(Organizer.email)))
    status = 400 if form.is_submitted() else 200
    return render_template("organizer/accounts.html", form=form, organizers=organizers), status


@bp.route("/accounts/<int:organizer_id>", methods=["GET", "POST"])
def account_edit(organizer_id: int):
    """Enable or disable an account, make it administrator, choose its events."""
    organizer = db.session.get(Organizer, organizer_id) or abort(404)
    events = list(db.session.scalars(sa.select(Event).order_by(Event.starts_at.desc())))
    form = AssignmentForm(
        data={
            "is_enabled": organizer.is_enabled,
            "is_admin": organizer.is_admin,
            "events": [str(e.id) for e in organizer.events],
        }
    )
    form.events.choices = [SelectChoice(str(e.id), f"{e.title} ({e.slug})") for e in events]
    if form.validate_on_submit():
        if organizer.id == current_user.id and (not form.is_enabled.data or not form.is_admin.data):
            flash(
                _(
                    "Non puoi disattivare il tuo account né togliere a te stesso il ruolo di "
                    "amministratore."
                ),
                "error",
            )
        else:
            chosen = set(form.events.data or [])
            organizer.is_enabled = form.is_enabled.data
            organizer.is_admin = form.is_admin.data
            organizer.events = [e for e in events if str(e.id) in chosen]
            db.session.commit()
            flash(_("Account aggiornato."), "success")
            return redirect(url_for(".accounts"), code=303)
    return render_template("organizer/account_edit.html", form=form, organizer=organizer)
