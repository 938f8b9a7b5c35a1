"""Geometry of the dashboard's inline SVG charts, in SVG user units.

The templates draw what these functions lay out; the SVGs scale with their viewBox, so
the sizes here are chosen for a phone's width (about 360 px) as much as a desktop's.
"""

import math
from dataclasses import dataclass

#: Characters narrower or wider than the average, for estimating a label's width.
_NARROW = set("fijlrtI.,;:'’!|()[] ")
_WIDE = set("mwMW@%")


def text_width(text: str, font_size: float) -> float:
    """A generous estimate of *text*'s width in a sans-serif font of *font_size*."""
    ems = 0.0
    for character in text:
        if character in _NARROW:
            ems += 0.32
        elif character in _WIDE:
            ems += 0.9
        elif character.isupper() or character.isdigit():
            ems += 0.66
        else:
            ems += 0.56
    return ems * font_size


def fit(text: str, width: float, font_size: float) -> str:
    """*text*, cut short with an ellipsis when it would be wider than *width*."""
    if text_width(text, font_size) <= width:
        return text
    cut = text
    while cut and text_width(cut + "…", font_size) > width:
        cut = cut[:-1]
    return cut.rstrip() + "…"


# -- registrations per day: vertical bars ----------------------------------------------------


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    #: The day and its count (a ``stats.DayCount``).
    day_count: object
    #: Day shown under the bar ("13/12"), or None where labels would crowd each other.
    label: str | None


@dataclass
class Chart:
    """Geometry of the registrations-per-day bar chart."""

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


def day_chart(days: list, width: int = 480, height: int = 220) -> Chart | None:
    """Bars of *days* (``stats.DayCount``) laid out for an inline SVG; None when there is
    nothing to draw."""
    if not days:
        return None
    left, top, right, bottom = 44, 12, width - 12, height - 36
    peak = max(max(d.count for d in days), 1)
    step = _nice_step(peak)
    top_value = step * math.ceil(peak / step)
    plot_height = bottom - top
    band = (right - left) / len(days)
    every = math.ceil(len(days) / 8)  # at most about eight day labels fit
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


# -- answers to a choice question: horizontal bars -------------------------------------------


@dataclass
class OptionBar:
    #: Top of the option's row.
    y: float
    #: Baseline of the option's label, written above its bar.
    label_y: float
    #: The label as it fits on one line (the full text is in the table and the title).
    label: str
    bar_y: float
    width: float
    #: Baseline of the count, right of the bar's track.
    count_y: float
    #: The row of the question's summary (a ``stats.OptionRow``).
    row: object


@dataclass
class OptionChart:
    """Geometry of one question's answers as horizontal bars, one row per option: the
    label on its own line, the bar under it on a track as long as all the respondents,
    the count right of the track."""

    width: int
    height: int
    font_size: int
    bar_height: int
    #: Length of a bar that every respondent chose.
    track: int
    count_x: int
    bars: list[OptionBar]


def option_chart(rows: list, respondents: int, width: int = 400) -> OptionChart | None:
    """Bars for *rows* (``stats.OptionRow``, each with ``option.label`` and
    ``option.count``) out of *respondents*; None when there is nothing to draw."""
    if not rows or not respondents:
        return None
    font_size, bar_height, pitch, pad = 14, 18, 48, 4
    # Room right of the track for "12 (100%)".
    track = width - 100
    bars = []
    for index, row in enumerate(rows):
        y = pad + index * pitch
        bars.append(
            OptionBar(
                y=y,
                label_y=y + font_size,
                label=fit(row.option.label, width, font_size),
                bar_y=y + font_size + 5,
                width=round(track * min(row.option.count / respondents, 1), 1),
                count_y=y + font_size + 5 + bar_height / 2 + font_size * 0.35,
                row=row,
            )
        )
    height = pad * 2 + len(rows) * pitch - (pitch - font_size - 5 - bar_height)
    return OptionChart(width, height, font_size, bar_height, track, track + 8, bars)
