"""Sign-in, sign-out, password, the list of events."""

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..urls import local_url
from . import auth, bp, services
from .forms import LoginForm, PasswordChangeForm


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 303
)
def login():
    """Sign an organiser in."""
    if current_user.is_authenticated:
        return redirect(url_for(".index"))
    form = LoginForm()
    if form.validate_on_submit():
        organizer = services.authenticate(form.email.data, form.password.data)
        if organizer is not None:
            login_user(organizer, remember=form.remember.data)
            # Ends after PERMANENT_SESSION_LIFETIME without a request (renewed by each one).
            session.permanent = True
            return redirect(local_url(request.args.get("next")) or url_for(".index"), code=303)
        form.form_errors.append(_("Email o password non corretti."))
    status = 400 if form.is_submitted() else 200
    return render_template("organizer/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out."""
    logout_user()
    flash(_("Sei uscito dall'area organizzatori."), "success")
    return redirect(url_for(".login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if services.change_password(
            current_user, form.current_password.data, form.new_password.data
        ):
            # The session id contains part of the hash: renew this session, end the others.
            login_user(current_user._get_current_object())
            flash(_("Password cambiata. Le altre sessioni sono state chiuse."), "success")
            return redirect(url_for(".index"), code=303)
        form.current_password.errors.append(_("La password attuale non è corretta."))
    status = 400 if form.is_submitted() else 200
    return render_template("organizer/password.html", form=form), status


@bp.get("/")
def index():
    """The events this organiser manages."""
    events = list(db.session.scalars(auth.managed_events_query()))
    return render_template("organizer/index.html", events=events)
