"""Site-wide routes: health check, icon, language switch, accessibility statement."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..extensions import db
from ..forms import BaseForm
from ..urls import local_url
from .emails import queue_accessibility_report

bp = Blueprint("site", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the service and its database answer."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database unreachable")
        database = "unreachable"
    ok = database == "ok"
    return jsonify(status="ok" if ok else "error", database=database), 200 if ok else 503


@bp.get("/favicon.ico")
def favicon():
    """The site's icon where a browser looks for it without reading the page's link."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language and go back where the person was."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(local_url(request.args.get("next")) or url_for("events.index"))


class AccessibilityReportForm(BaseForm):
    """Reports a barrier met on the site."""

    page = StringField(
        _l("Pagina in cui si è incontrato il problema (facoltativo)"), validators=[Length(max=500)]
    )
    description = TextAreaField(
        _l("Descrizione del problema"),
        validators=[DataRequired(_l("Descrivere il problema incontrato.")), Length(max=5000)],
        render_kw={"rows": 6},
    )
    email = StringField(
        _l("Email per ricevere una risposta (facoltativo)"),
        validators=[Optional(), Email(_l("Inserire un indirizzo email valido.")), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "email"},
    )


@bp.route("/accessibilita", methods=["GET", "POST"])
def accessibility():
    """The accessibility statement, with a form to report a barrier."""
    form = AccessibilityReportForm()
    if form.validate_on_submit():
        queue_accessibility_report(
            form.page.data or "", form.description.data, form.email.data or ""
        )
        db.session.commit()
        flash(
            _("Grazie: la segnalazione è stata inviata a chi cura l'accessibilità del servizio."),
            "success",
        )
        return redirect(url_for(".accessibility"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "accessibility.html", form=form, contact=current_app.config["ACCESSIBILITY_CONTACT"]
    ), status
