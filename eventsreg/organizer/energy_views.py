"""The energy-community picture of an event: eligibility, substations, a first estimate."""

from datetime import date
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from .. import validators
from ..energy import exports
from ..energy.estimate import Assumptions
from ..energy.picture import is_energy_event
from ..energy.rules import RULES_CHECKED, STANDING_LABELS, ZONE_LABELS, Standing, Zone
from ..extensions import db
from ..formatting import number
from ..forms import BaseForm
from ..markdown import render_markdown
from ..translated import current_locale
from . import bp, stats
from .auth import managed_event_or_404
from .paging import Paged

RULES_PAGE = Path(__file__).resolve().parents[2] / "docs" / "energy-community-rules.md"
#: Companies in the panel's table, a page.
COMPANIES_PER_PAGE = 50
#: Primary substations shown in the chart and the tables (all of them in the exports).
SUBSTATIONS_SHOWN = 100
#: Existing plants, and asbestos roofs, listed at most.
ITEMS_SHOWN = 100

#: Assumptions shown as percentages (stored as fractions).
PERCENT = ("self_use_low", "self_use_high", "daytime_low", "daytime_high", "sharing_low",
           "sharing_high")  # fmt: skip
#: (field, label, smallest, largest) of each numeric assumption.
NUMBERS = [
    ("yield_low", _l("Producibilità, minimo (kWh per kWp all'anno)"), 500, 2000),
    ("yield_high", _l("Producibilità, massimo (kWh per kWp all'anno)"), 500, 2000),
    ("self_use_low", _l("Autoconsumo contemporaneo dei produttori, minimo (%)"), 0, 100),
    ("self_use_high", _l("Autoconsumo contemporaneo dei produttori, massimo (%)"), 0, 100),
    ("daytime_low", _l("Consumi dei membri nelle ore di produzione, minimo (%)"), 0, 100),
    ("daytime_high", _l("Consumi dei membri nelle ore di produzione, massimo (%)"), 0, 100),
    ("sharing_low", _l("Energia effettivamente condivisa (k), minimo (%)"), 0, 100),
    ("sharing_high", _l("Energia effettivamente condivisa (k), massimo (%)"), 0, 100),
    ("zonal_price", _l("Prezzo zonale Pz (€/MWh)"), 0, 1000),
    ("valorisation", _l("Valorizzazione ARERA (€/MWh)"), 0, 100),
    ("valorisation_year", _l("Anno della valorizzazione"), 2020, 2100),
    ("m2_per_kwp", _l("Superficie di tetto per kWp (m²)"), 1, 50),
]


#: Pairs of assumptions that make a range.
RANGES = [(f"{name}_low", f"{name}_high") for name in ("yield", "self_use", "daytime", "sharing")]


class AssumptionsForm(BaseForm):
    """The organiser's assumptions, one field each (numbers in the page's language)."""

    zone = SelectField(_l("Zona geografica degli impianti"), validate_choice=False)
    capital_grant = BooleanField(
        _l("Gli impianti ricevono il contributo PNRR in conto capitale"),
        description=_l(
            "La soglia per le imprese scende dal 55 al 45 %. La riduzione della tariffa premio "
            "per gli impianti con contributo non è applicata in questa stima."
        ),
    )

    @classmethod
    def build(cls, assumptions: Assumptions, **kwargs) -> "AssumptionsForm":
        class Form(cls):
            pass

        for name, label, _lo, _hi in NUMBERS:
            mode = "numeric" if name == "valorisation_year" else "decimal"
            setattr(Form, name, StringField(label, render_kw={"inputmode": mode}))
        data = {name: _shown(name, getattr(assumptions, name)) for name, *_rest in NUMBERS}
        data |= {"zone": assumptions.zone, "capital_grant": assumptions.capital_grant}
        form = Form(data=data if request.method == "GET" else None, **kwargs)
        form.zone.choices = [SelectChoice(z.value, label) for z, label in ZONE_LABELS.items()]
        return form

    def numbers(self):
        for name, *_rest in NUMBERS:
            yield self[name]

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        for name, _label, lo, hi in NUMBERS:
            field = self[name]
            try:
                value = validators.parse_number(field.data or "", current_locale()).value
            except validators.InvalidValue as error:
                field.errors.append(_(validators.MESSAGES[error.code]))
                continue
            if not lo <= value <= hi:
                field.errors.append(_("Scrivi un numero da %(min)d a %(max)d.", min=lo, max=hi))
            field.parsed = value
        for low, high in RANGES:
            parsed = [getattr(self[n], "parsed", None) for n in (low, high)]
            if None not in parsed and parsed[0] > parsed[1]:
                self[high].errors.append(_("Il massimo non può essere minore del minimo."))
        if self.zone.data not in {z.value for z in Zone}:
            self.zone.errors.append(_("Scegli una zona dall'elenco."))
        return not self.errors

    def assumptions(self) -> Assumptions:
        values = {}
        for name, *_rest in NUMBERS:
            value = self[name].parsed
            values[name] = float(value / 100) if name in PERCENT else float(value)
        values["valorisation_year"] = int(values["valorisation_year"])
        return Assumptions(
            **values, zone=self.zone.data, capital_grant=bool(self.capital_grant.data)
        )


def _shown(name: str, value) -> str:
    if name == "valorisation_year":
        return str(int(value))  # a year is never grouped
    return number(round(value * 100, 1)) if name in PERCENT else number(value)


def _energy_event_or_404(slug: str):
    event = managed_event_or_404(slug)
    if not is_energy_event(event):  # its tab in the event's navigation says the same
        abort(404)
    return event


@bp.route("/events/<slug>/energy", methods=["GET", "POST"])
def energy(slug: str):
    """The energy-community picture, and the assumptions of its estimate."""
    event = _energy_event_or_404(slug)
    assumptions = Assumptions.from_saved(event.energy_assumptions)
    form = AssumptionsForm.build(assumptions)
    if form.validate_on_submit():
        event.energy_assumptions = form.assumptions().saved()
        db.session.commit()
        flash(_("Ipotesi salvate: la stima è aggiornata."), "success")
        return redirect(url_for(".energy", slug=event.slug) + "#estimate", code=303)
    status = 400 if form.is_submitted() else 200
    picture, figures = stats.energy_figures(event, assumptions)
    standing = next((s for s in Standing if s.value == request.args.get("standing")), None)
    listed = picture.companies if standing is None else picture.by_standing(standing)
    page = Paged.at(len(listed), request.args.get("page", 1, type=int), COMPANIES_PER_PAGE)
    # The group of unknown substation, if any, comes last.
    unknown = [item for item in figures.groups[-1:] if item.group.code is None]
    known = figures.groups[: len(figures.groups) - len(unknown)]
    plants, asbestos = picture.existing_plants, picture.asbestos_roofs

    def page_url(number: int) -> str:
        args = {"standing": standing.value} if standing else {}
        return url_for(".energy", slug=event.slug, page=number, **args) + "#companies-title"

    return render_template(
        "organizer/energy.html",
        event=event,
        picture=picture,
        estimate=figures,
        # Each substation a row (the unknown one last); beyond SUBSTATIONS_SHOWN, the
        # exports have them all, and the totals count them all.
        substations=known[:SUBSTATIONS_SHOWN] + unknown,
        substations_left=max(len(known) - SUBSTATIONS_SHOWN, 0),
        companies=page.of(listed),
        page=page,
        page_url=page_url,
        standing=standing,
        plants=plants[:ITEMS_SHOWN],
        asbestos=asbestos[:ITEMS_SHOWN],
        items_left=max(len(plants) - ITEMS_SHOWN, 0) + max(len(asbestos) - ITEMS_SHOWN, 0),
        assumptions=assumptions,
        form=form,
        rules_checked=RULES_CHECKED,
        standings=[(s, STANDING_LABELS[s]) for s in Standing],
        today=date.today(),
    ), status


@bp.get("/events/<slug>/energy-<table>.<ext>")
def energy_export(slug: str, table: str, ext: str):
    """The picture per substation or per supply point, as CSV or XLSX."""
    event = _energy_event_or_404(slug)
    if table not in ("substations", "pods") or ext not in ("csv", "xlsx"):
        abort(404)
    picture, figures = stats.energy_figures(event, Assumptions.from_saved(event.energy_assumptions))
    if table == "substations":
        rows, title = exports.substation_rows(picture, figures), _("Cabine")
    else:
        rows, title = exports.point_rows(picture), _("Punti di prelievo")
    filename = f"{event.slug}-{'cabine' if table == 'substations' else 'pod'}.{ext}"
    if ext == "csv":
        body, mimetype = exports.as_csv(rows), "text/csv; charset=utf-8"
    else:
        body = exports.as_xlsx(rows, title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/energy-rules")
def energy_rules():
    """The energy-community rules the panel applies, with their sources."""
    text = RULES_PAGE.read_text(encoding="utf-8")
    return render_template("organizer/energy_rules.html", body=Markup(render_markdown(text)))
