"""The event dashboard: key figures, registrations per day and the answers summed up."""

from dataclasses import dataclass, field

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..events.models import Event
from ..registrations.models import REGISTRATION_STATUS_LABELS, AttendanceMode, RegistrationStatus
from . import bp, charts, stats
from .auth import managed_event_or_404
from .registration_forms import ACTIVE

#: Codes of a question, and disagreeing answers, listed at most (the exports have them all).
ITEMS_SHOWN = 50


@dataclass
class Figure:
    """A key figure, shown as a card."""

    label: str
    value: int | str
    #: The registrations list's GET filters giving exactly the registrations counted, or
    #: None when the figure is not a number of registrations.
    filters: dict[str, str] | None = None
    #: For a figure that counts something else (people): the closest exact set of
    #: registrations, in words with their number, and its filters.
    related: str | None = None
    related_filters: dict[str, str] = field(default_factory=dict)


def figures(event: Event, counts: stats.Counts) -> list[Figure]:
    """The dashboard's cards: each number of registrations with the list's filters that
    show exactly those registrations. Cards of what the event cannot have (a waiting list
    without a capacity, online without a link…) are left out while they count nothing."""
    status, mode = counts.by_status, counts.by_attendance

    def by_status(value: RegistrationStatus, label: str) -> Figure:
        return Figure(label, status[value], {"status": value.value})

    def by_mode(value: AttendanceMode, label: str) -> Figure:
        return Figure(label, mode[value], {"status": ACTIVE, "attendance": value.value})

    in_person = event.offers_in_person or event.capacity is not None
    shown = [
        (True, by_status(RegistrationStatus.confirmed, _("Confermate"))),
        (
            event.capacity is not None or status[RegistrationStatus.waitlisted],
            by_status(
                RegistrationStatus.waitlisted,
                REGISTRATION_STATUS_LABELS[RegistrationStatus.waitlisted],
            ),
        ),
        (
            event.requires_approval or status[RegistrationStatus.pending],
            by_status(
                RegistrationStatus.pending, REGISTRATION_STATUS_LABELS[RegistrationStatus.pending]
            ),
        ),
        (
            event.offers_in_person or mode[AttendanceMode.in_person],
            by_mode(AttendanceMode.in_person, _("In presenza")),
        ),
        (
            event.offers_online or mode[AttendanceMode.online],
            by_mode(AttendanceMode.online, _("Online")),
        ),
        (
            event.offers_interest_only or mode[AttendanceMode.not_attending],
            by_mode(AttendanceMode.not_attending, _("Solo manifestazione di interesse")),
        ),
        (
            in_person or counts.people_in_person,
            Figure(
                _("Persone attese in presenza"),
                counts.people_in_person,
                related=ngettext(
                    "%(num)s iscrizione confermata in presenza",
                    "%(num)s iscrizioni confermate in presenza",
                    counts.confirmed_in_person,
                ),
                related_filters={
                    "status": RegistrationStatus.confirmed.value,
                    "attendance": AttendanceMode.in_person.value,
                },
            ),
        ),
        (
            in_person,
            Figure(
                _("Posti liberi"),
                _("senza limite")
                if counts.capacity is None
                else _(
                    "%(left)s su %(capacity)s", left=counts.seats_left, capacity=counts.capacity
                ),
            ),
        ),
        (
            True,
            Figure(
                _("Registrati all'ingresso"),
                counts.checked_in,
                {"status": ACTIVE, "checked_in": "yes"},
            ),
        ),
        (True, by_status(RegistrationStatus.cancelled, _("Ritirate"))),
        (
            event.requires_approval or status[RegistrationStatus.rejected],
            by_status(RegistrationStatus.rejected, _("Non accettate")),
        ),
        (True, Figure(_("Totale"), counts.total, {})),
    ]
    return [figure for show, figure in shown if show]


@bp.get("/events/<slug>/")
def dashboard(slug: str):
    """Overview of one event: key figures, registrations per day, answers summed up."""
    event = managed_event_or_404(slug)
    data = stats.event_dashboard(event)

    def registrations_url(filters: dict[str, str]) -> str:
        return url_for(".registrations", slug=event.slug, **filters)

    def answer_url(question, row: stats.OptionRow) -> str:
        # Active registrations, as the dashboard counts only those.
        return registrations_url({"status": ACTIVE, question.field_name: row.filter})

    return render_template(
        "organizer/dashboard.html",
        event=event,
        stats=data,
        figures=figures(event, data.counts),
        registrations_url=registrations_url,
        answer_url=answer_url,
        chart=charts.day_chart(data.days),
        items_shown=ITEMS_SHOWN,
        option_charts={
            summary.question.id: charts.option_chart(summary.rows, summary.respondents)
            for summary in data.questions
            if summary.rows
        },
    )
