"""Template filters and globals."""

from flask import request
from jinja2 import StrictUndefined, pass_context
from markupsafe import Markup, escape

from . import calendar, formatting
from .energy.picture import is_energy_event
from .energy.rules import STANDING_LABELS, Standing
from .events.models import EVENT_STATUS_LABELS, Registrants
from .mail.models import OutboxStatus
from .markdown import render_markdown
from .questions.answers import condition_labels, display_value
from .registrations.models import (
    ATTENDANCE_MODE_LABELS,
    REGISTRATION_STATUS_LABELS,
    AttendanceMode,
    RegistrationStatus,
    registration_status_label,
)
from .registrations.seats import RegistrationState
from .static_files import static_url
from .translated import current_locale

#: The icons of Designers Italia's kit: a sprite with the symbols the templates use
#: (assets/vendor.py lists them; `make vendor` rebuilds the sprite).
ICON_SPRITE = "vendor/bootstrap-italia/svg/sprites.svg"


def icon(name: str, size: str = "sm", classes: str = "") -> Markup:
    """An icon from the kit's sprite, decorative: the text next to it says what it means."""
    href = f"{static_url(ICON_SPRITE)}#{name}"
    css = " ".join(filter(None, ("icon", f"icon-{size}" if size else "", classes)))
    return Markup(
        f'<svg class="{escape(css)}" aria-hidden="true" focusable="false">'
        f'<use href="{escape(href)}"></use></svg>'
    )


@pass_context
def ngettext(context, singular: str, plural: str, count: int, /, **variables) -> str:
    """Jinja's ``ngettext`` (as Flask-Babel installs it), with the count ``%(num)s``
    written as the page writes numbers (1.264 in Italian, 1,264 in English) unless the
    template gives ``num`` itself."""
    return formatting.counted(
        singular, plural, count, variables, Markup if context.eval_ctx.autoescape else str
    )


def register(app):
    """Install filters and context on *app*'s Jinja environment."""
    app.jinja_env.filters.update(
        markdown=render_markdown,
        event_when=formatting.event_when,
        long_date=formatting.long_date,
        day_date=formatting.day_date,
        date_time=formatting.date_time,
        compact_date_time=formatting.compact_date_time,
        short_time=formatting.short_time,
        number=formatting.number,
        plain_number=formatting.plain_number,
    )
    app.jinja_env.globals.update(
        ngettext=ngettext,
        event_local=formatting.event_local,
        static_url=static_url,
        condition_labels=condition_labels,
        answer_text=display_value,
        status_label=REGISTRATION_STATUS_LABELS.get,
        registration_status=registration_status_label,
        event_status_label=EVENT_STATUS_LABELS.get,
        attendance_label=ATTENDANCE_MODE_LABELS.get,
        google_calendar_url=calendar.google_calendar_url,
        outlook_calendar_url=calendar.outlook_calendar_url,
        # Templates compare enums as enums: registration.status == RegistrationStatus.pending.
        AttendanceMode=AttendanceMode,
        OutboxStatus=OutboxStatus,
        RegistrationState=RegistrationState,
        RegistrationStatus=RegistrationStatus,
        Registrants=Registrants,
        Standing=Standing,
        standing_label=STANDING_LABELS.get,
        is_energy_event=is_energy_event,
        icon=icon,
    )
    # A misspelt variable is a bug: fail loudly instead of rendering nothing.
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site_context():
        return {
            "site_name": app.config["SITE_NAME"],
            "site_owner": app.config["DATA_CONTROLLER_NAME"],
            "current_locale": current_locale(),
            "languages": app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
