"""The organisers' blueprint: sign-in, sign-out, password, the list of events.

Every page under /organizer/ except sign-in needs a signed-in organiser. The feature
modules imported at the end add their routes to the same blueprint.
"""

from flask import (
    Blueprint,
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
from ..site import _local_url
from . import auth, services
from .forms import LoginForm, PasswordChangeForm

bp = Blueprint("organizer", __name__, url_prefix="/organizer")

PUBLIC_ENDPOINTS = {"organizer.login"}


@bp.before_request
def require_sign_in():
    # One gate for the whole blueprint: a new page cannot forget it.
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


@bp.after_request
def private(response):
    # Registrants' data: never kept by shared caches or the browser's history cache.
    response.headers["Cache-Control"] = "no-store"
    # Their addresses hold names searched for and check-in codes: never sent to other sites.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


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
            return redirect(_local_url(request.args.get("next")) or url_for(".index"), code=303)
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


# Feature modules add their routes to ``bp``.
from . import (  # noqa: E402, F401
    account_views,
    checkin_views,
    dashboard_views,
    event_views,
    export_views,
    message_views,
    outbox_views,
    question_views,
    registration_views,
)
