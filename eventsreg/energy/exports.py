"""The energy-community picture for the technical adviser: one row per primary substation,
or one row per supply point, as CSV (Italian settings) or XLSX."""

import io
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ..exports import csv_bytes, neutralise
from .estimate import Estimate
from .picture import EnergyPicture
from .rules import STANDING_LABELS


def _number(value) -> float | None:
    return None if value is None else float(round(Decimal(value), 2))


def substation_rows(picture: EnergyPicture, estimate: Estimate) -> list[list]:
    """A header, then one row per primary substation (the unknown one last)."""
    rows = [
        [
            _("Cabina primaria"),
            _("Aziende e partecipanti"),
            _("Punti di prelievo"),
            _("Consumo dei membri (kWh/anno)"),
            _("Consumo da verificare (kWh/anno)"),
            _("Fotovoltaico previsto (kWp)"),
            _("Fotovoltaico esistente (kWp)"),
            _("di cui in esercizio prima del 16/12/2021 (kWp)"),
            _("Tetti disponibili (m²)"),
            _("Energia condivisa, minimo (kWh/anno)"),
            _("Energia condivisa, massimo (kWh/anno)"),
            _("Incentivo annuo, minimo (€)"),
            _("Incentivo annuo, massimo (€)"),
        ]
    ]
    for item in estimate.groups:
        group = item.group
        rows.append(
            [
                group.code or _("Cabina non indicata"),
                len(group.companies),
                group.pods,
                _number(group.eligible_kwh),
                _number(group.unverified_kwh),
                _number(group.planned_kwp),
                _number(group.existing_kwp),
                _number(group.old_kwp),
                _number(group.roof_m2),
                _number(item.shared.low),
                _number(item.shared.high),
                _number(item.incentive.low),
                _number(item.incentive.high),
            ]
        )
    return rows


def point_rows(picture: EnergyPicture) -> list[list]:
    """A header, then one row per supply point, with its company's standing."""
    rows = [
        [
            _("Codice POD"),
            _("Cabina primaria"),
            _("Consumo annuo (kWh)"),
            _("Azienda o partecipante"),
            _("Partecipazione alla comunità"),
        ]
    ]
    for company in picture.companies:
        for point in company.points:
            rows.append(
                [
                    point.pod,
                    point.substation or "",
                    _number(point.kwh),
                    company.name,
                    str(STANDING_LABELS[company.standing]),
                ]
            )
    return rows


def as_csv(rows: list[list]) -> bytes:
    """UTF-8 with a BOM, ";" and decimal commas: what Excel and Calc expect in Italy."""
    return csv_bytes(rows)


def as_xlsx(rows: list[list], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for number, row in enumerate(rows):
        sheet.append([neutralise(cell) if isinstance(cell, str) else cell for cell in row])
        if number == 0:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
