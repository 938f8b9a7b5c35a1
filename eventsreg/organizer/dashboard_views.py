"""The event dashboard: counts, registrations per day and the answers summed up."""

import math
from dataclasses import dataclass

from flask import render_template

from ..registrations.models import AttendanceMode, RegistrationStatus
from . import bp, stats
from .auth import managed_event_or_404


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    day_count: stats.DayCount
    #: Day shown under the bar ("13/12"), or None where labels would crowd each other.
    label: str | None


@dataclass
class Chart:
    """Geometry of the registrations-per-day bar chart, in SVG user units."""

    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    bars: list[Bar]
    #: (y, value) of the horizontal grid lines.
    ticks: list[tuple[float, int]]


def _nice_step(peak: int, most_steps: int = 5) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that reaches *peak* in at most *most_steps*."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if math.ceil(peak / (factor * magnitude)) <= most_steps:
                return factor * magnitude
        magnitude *= 10


def chart(days: list[stats.DayCount], width: int = 640, height: int = 240) -> Chart | None:
    """Bars of *days* laid out for an inline SVG; None when there is nothing to draw."""
    if not days:
        return None
    left, top, right, bottom = 44, 12, width - 12, height - 36
    peak = max(max(d.count for d in days), 1)
    step = _nice_step(peak)
    top_value = step * math.ceil(peak / step)
    plot_height = bottom - top
    band = (right - left) / len(days)
    every = math.ceil(len(days) / 12)  # at most about a dozen day labels fit
    bars = []
    # A bar fills 70% of its day's band, but a few days must not make slabs of them.
    bar_width = min(max(band * 0.7, 1), 48)
    for index, day_count in enumerate(days):
        bar_height = plot_height * day_count.count / top_value
        bars.append(
            Bar(
                x=round(left + index * band + (band - bar_width) / 2, 1),
                y=round(bottom - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                day_count=day_count,
                label=f"{day_count.day.day}/{day_count.day.month}" if index % every == 0 else None,
            )
        )
    ticks = [
        (round(bottom - plot_height * value / top_value, 1), value)
        for value in range(0, top_value + 1, step)
    ]
    return Chart(width, height, left, top, right, bottom, bars, ticks)


@bp.get("/events/<slug>/")
def dashboard(slug: str):
    """Overview of one event: counts, registrations per day, answers summed up."""
    event = managed_event_or_404(slug)
    data = stats.event_dashboard(event)
    return render_template(
        "organizer/dashboard.html",
        event=event,
        stats=data,
        chart=chart(data.days),
        statuses=RegistrationStatus,
        modes=AttendanceMode,
    )
