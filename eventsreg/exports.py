"""An event's registrations as CSV and XLSX, streamed: used by the downloads and the CLI.

One row per registration, every status, oldest first; one column per question of the
event, archived ones included (their answers are still data). Registrations are read in
chunks of ``CHUNK_SIZE`` with their answers, so a large event never sits in memory.

The CSV opens right in Excel and LibreOffice with Italian settings: UTF-8 with a BOM (so
accents survive), ";" between fields, CRLF line ends, decimal comma and dates as
``dd/mm/yyyy hh:mm``. With the "," separator (other settings) numbers have a decimal
point and dates are ISO ``yyyy-mm-dd hh:mm``. There is no ``sep=`` line: Excel would
then ignore the BOM. The XLSX has real numbers and dates (in the event's zone), a bold
frozen header and a filter on every column.

Formula neutralisation (CSV and XLSX alike): a spreadsheet runs a cell whose text starts
with ``=``, ``+``, ``-`` or ``@`` as a formula (tab and carriage return are stripped
before that check), so registrants could plant ``=HYPERLINK(...)`` or worse in an
organiser's Excel. Every text cell starting with one of ``= + - @``, tab or CR gets a
leading apostrophe ``'``, which shows it as text. Text that is plainly a number or a
phone number (only digits, spaces, ``( ) . , /`` after an optional leading ``+`` or
``-``, e.g. ``+39 0373 123456`` or ``-12,5``) is left as it is: it can run nothing.
Numbers and dates are written as such and never touched.
"""

import csv
import io
import re
from array import array
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from tempfile import SpooledTemporaryFile

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .events.models import Event, Question, QuestionKind
from .extensions import db
from .registrations.models import (
    ATTENDANCE_MODE_LABELS,
    REGISTRATION_STATUS_LABELS,
    Answer,
    Registration,
)

#: Registrations read from the database at a time (answers are loaded per chunk).
CHUNK_SIZE = 500
#: Size of the pieces a download is sent in.
CHUNK_BYTES = 64 * 1024
#: An XLSX being built stays in memory up to this size, then moves to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+-]?[ (]*\d[\d ().,/]*")

#: The fixed columns: header and XLSX width, in the order of ``_FIELDS``' values.
_FIXED_COLUMNS = (
    (_l("ID"), 8),
    (_l("Data iscrizione"), 17),
    (_l("Stato"), 18),
    (_l("Partecipazione"), 18),
    (_l("Persone"), 9),
    (_l("Nome"), 16),
    (_l("Cognome"), 18),
    (_l("Email"), 30),
    (_l("Telefono"), 17),
    (_l("Azienda"), 30),
    (_l("Partita IVA"), 13),
    (_l("Codice fiscale"), 18),
    (_l("Lingua"), 8),
    (_l("Consenso privacy"), 17),
    (_l("Versione informativa privacy"), 12),
    (_l("Consenso comunicazioni"), 12),
    (_l("Ingresso registrato"), 17),
)

_FIELDS = (
    Registration.id,
    Registration.created_at,
    Registration.status,
    Registration.attendance,
    Registration.party_size,
    Registration.first_name,
    Registration.last_name,
    Registration.email,
    Registration.phone,
    Registration.company_name,
    Registration.vat_number,
    Registration.tax_code,
    Registration.locale,
    Registration.privacy_consent_at,
    Registration.privacy_notice_version,
    Registration.marketing_consent_at,
    Registration.checked_in_at,
)


def neutralise(text: str) -> str:
    """*text* made safe from spreadsheet formulas (see the module docstring)."""
    if text.startswith(_FORMULA_START) and not _NUMBER_LIKE.fullmatch(text):
        return "'" + text
    return text


def export_filename(event: Event, extension: str, today: date) -> str:
    """E.g. "comunita-energetica-iscrizioni-20221213.csv"."""
    return f"{event.slug}-iscrizioni-{today:%Y%m%d}.{extension}"


def registration_count(event: Event) -> int:
    """Registrations an export of *event* has, in any status."""
    query = sa.select(sa.func.count()).where(Registration.event_id == event.id)
    return db.session.scalar(query)


def _questions(event: Event) -> list[Question]:
    return sorted(event.questions, key=lambda q: (q.position, q.id))


def _headers(questions: list[Question]) -> list[str]:
    fixed = [str(label) for label, _width in _FIXED_COLUMNS]
    taken = [label.casefold() for label in fixed] + [q.label.casefold() for q in questions]
    # A label shared with another column gets the question's code, so columns stay apart.
    return fixed + [
        f"{q.label} ({q.code})" if taken.count(q.label.casefold()) > 1 else q.label
        for q in questions
    ]


def column_widths(event: Event) -> list[int]:
    """XLSX column widths: fixed for the standard columns, from the label for questions."""
    fixed = [width for _label, width in _FIXED_COLUMNS]
    return fixed + [min(max(len(q.label) + 2, 12), 40) for q in _questions(event)]


def registration_rows(event: Event) -> Iterator[list]:
    """The header, then one row of typed values (int, float, date, str, None) per registration.

    Times are naive datetimes in the event's zone; statuses and choices are words.
    """
    questions = _questions(event)
    yield _headers(questions)
    tz = event.tz
    statuses = {key: str(label) for key, label in REGISTRATION_STATUS_LABELS.items()}
    modes = {key: str(label) for key, label in ATTENDANCE_MODE_LABELS.items()}
    yes, no = _("Sì"), _("No")

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    columns = [(q.id, q) for q in questions]
    for chunk in _registration_chunks(event):
        answers = _answers([row.id for row in chunk])
        for row in chunk:
            given = answers.get(row.id, {})
            yield [
                row.id,
                local(row.created_at),
                statuses[row.status],
                modes[row.attendance],
                row.party_size,
                row.first_name,
                row.last_name,
                row.email,
                row.phone,
                row.company_name,
                row.vat_number,
                row.tax_code,
                row.locale,
                local(row.privacy_consent_at),
                row.privacy_notice_version,
                yes if row.marketing_consent_at else no,
                local(row.checked_in_at),
                *(_answer_value(q, given.get(qid), yes, no) for qid, q in columns),
            ]


def _registration_chunks(event: Event) -> Iterator[list]:
    """The event's registrations, oldest first, in lists of at most ``CHUNK_SIZE`` rows.

    The ids come first, in one quick query (8 bytes each), then each chunk by its ids.
    No cursor stays open between chunks: on SQLite an open one would lock out every
    registration for as long as a slow download lasts.
    """
    ids = array(
        "q",
        db.session.scalars(
            sa.select(Registration.id)
            .where(Registration.event_id == event.id)
            .order_by(Registration.created_at, Registration.id)
            # Without it the ORM would buffer every row before the first one is read.
            .execution_options(yield_per=10_000)
        ),
    )
    for start in range(0, len(ids), CHUNK_SIZE):
        chunk_ids = ids[start : start + CHUNK_SIZE].tolist()
        rows = db.session.execute(sa.select(*_FIELDS).where(Registration.id.in_(chunk_ids)))
        by_id = {row.id: row for row in rows}
        # A registration deleted since the ids were read is simply left out.
        yield [by_id[i] for i in chunk_ids if i in by_id]


def _answers(registration_ids: list[int]) -> dict[int, dict[int, object]]:
    """The answers of one chunk of registrations: {registration id: {question id: value}}."""
    query = sa.select(Answer.registration_id, Answer.question_id, Answer.value).where(
        Answer.registration_id.in_(registration_ids)
    )
    answers: dict[int, dict[int, object]] = {}
    for registration_id, question_id, value in db.session.execute(query):
        answers.setdefault(registration_id, {})[question_id] = value
    return answers


def _answer_value(question: Question, value, yes: str, no: str):
    """A stored answer as a cell value: words for choices, a number for numbers."""
    if value is None or value == "" or value == []:
        return None
    kind = question.kind
    if kind is QuestionKind.choice:
        return question.choice_label(value)
    if kind is QuestionKind.multichoice:
        return "; ".join(question.choice_label(v) for v in value)
    if kind in (QuestionKind.yesno, QuestionKind.checkbox):
        return yes if value else no
    if kind is QuestionKind.number and isinstance(value, int | float):
        return value
    if kind is QuestionKind.pod and isinstance(value, list):
        return ", ".join(value)
    if kind is QuestionKind.date:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _csv_text(value, italian: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M" if italian else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y" if italian else "%Y-%m-%d")
    if isinstance(value, float):
        # Plain notation, never "1e+20": spreadsheets read it back as the same number.
        text = format(Decimal(repr(value)), "f")
        return text.replace(".", ",") if italian else text
    return str(value)


def csv_chunks(event: Event, delimiter: str = ";", *, rows: Iterable[list] | None = None):
    """The CSV export as encoded pieces: BOM, header, then rows in pieces of ~64 KiB.

    :param rows: the rows to write, by default ``registration_rows(event)`` (the CLI
        passes them through a progress bar).
    """
    italian = delimiter == ";"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write("\ufeff")
    for row in registration_rows(event) if rows is None else rows:
        writer.writerow([_csv_text(value, italian) for value in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        # openpyxl refuses control characters, and stores text starting with "=" as a formula.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell
    return value


def write_xlsx(event: Event, fileobj, *, rows: Iterable[list] | None = None) -> None:
    """Write the XLSX export to the seekable binary *fileobj*.

    :param rows: as for :func:`csv_chunks`.
    """
    rows = iter(registration_rows(event) if rows is None else rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Iscrizioni"))
    # A write-only sheet needs its columns and panes before the first row.
    for index, width in enumerate(column_widths(event), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = next(rows)
    bold = Font(bold=True)
    header_cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_cell(sheet, text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    last_row = 1
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        last_row += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last_row}"
    workbook.save(fileobj)


def xlsx_chunks(event: Event, *, rows: Iterable[list] | None = None) -> Iterator[bytes]:
    """The XLSX export as pieces: built in a spooled temporary file, then read back.

    :param rows: as for :func:`csv_chunks`.
    """
    with SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        write_xlsx(event, spool, rows=rows)
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk
