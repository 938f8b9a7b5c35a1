"""The CSV opened the way an Italian office opens it: LibreOffice Calc (headless), import
with ";" and UTF-8 in Italian, then read back cell by cell. Runs where LibreOffice is
installed (CI installs libreoffice-calc); skipped with the reason elsewhere."""

import shutil
import subprocess
from datetime import datetime

import pytest
from openpyxl import load_workbook

from eventsreg.events.models import QuestionKind

from .test_exports import add_registration

SOFFICE = shutil.which("soffice")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.xdist_group("libreoffice"),
]

#: Calc's CSV import: ";" (59) between fields, '"' (34) around text, UTF-8 (76), from the
#: first line, default column types, Italian (1040) for numbers and dates.
ITALIAN_CSV = "CSV:59,34,76,1,,1040"


def open_in_calc(csv_bytes: bytes, tmp_path) -> list[list]:
    """The CSV's cells as Calc reads them: converted to XLSX by Calc, read back typed."""
    source = tmp_path / "iscrizioni.csv"
    source.write_bytes(csv_bytes)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            f"--infilter={ITALIAN_CSV}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sheet = load_workbook(tmp_path / "iscrizioni.xlsx").active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_identifiers_keep_their_leading_zeros_and_numbers_stay_numbers_in_calc(
    client, create_event, add_question, create_organizer, sign_in, tmp_path
):
    event = create_event()
    company_vat = add_question(event, "piva_capogruppo", QuestionKind.vat)
    kwh = add_question(event, "consumo", QuestionKind.number, settings={"unit": "kWh"})
    add_registration(
        event,
        {company_vat: "01234560157", kwh: 120000.5},
        vat_number="00743110157",
        tax_code="09487750193",
        phone="+39 0373 123456",
    )
    add_registration(event, vat_number="", tax_code="RSSMRA80A01H501U")
    sign_in(create_organizer(events=[event]))
    response = client.get(f"/organizer/events/{event.slug}/registrations.csv")
    assert response.status_code == 200

    header, first, second = open_in_calc(response.data, tmp_path)
    cell = dict(zip(header, first, strict=True))
    # Text, leading zero kept, no formula: the EU form of the VAT number.
    assert cell["Partita IVA"] == "IT00743110157"
    assert cell["Codice fiscale"] == "IT09487750193"
    assert cell["Piva capogruppo"] == "IT01234560157"  # a VAT-number question
    assert cell["Telefono"] == "+39 0373 123456"
    # What should be a number or a date still is one.
    assert cell["Consumo (kWh)"] == 120000.5
    assert isinstance(cell["Data iscrizione"], datetime)
    assert dict(zip(header, second, strict=True))["Codice fiscale"] == "RSSMRA80A01H501U"
