"""The organisers' side: sign-in, event editor, questions, registrations, exports.

One blueprint, defined here; each feature module adds its pages to it. Every page under
/organizer/ except sign-in needs a signed-in organiser.
"""

from flask import Blueprint, current_app, request
from flask_login import current_user

from ..security import keep_private

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
    # Registrants' data, and addresses holding names searched for and check-in codes.
    return keep_private(response)


# The feature modules, each adding its pages to ``bp`` (they import it from here).
from . import (  # noqa: E402, F401
    account_views,
    checkin_views,
    dashboard_views,
    energy_views,
    event_views,
    export_views,
    message_views,
    outbox_views,
    question_views,
    registration_views,
    views,
)
