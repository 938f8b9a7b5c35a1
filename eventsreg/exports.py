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

Identifiers in the CSV: a spreadsheet opening a CSV reads ``01876540194`` as the number
1876540194, and nothing in a CSV can tell it otherwise without a formula. So in the CSV the
VAT number, an 11-digit (numeric) tax code and answers to VAT-number questions are written
in their EU form, ``IT01876540194``: text to every spreadsheet, the leading zero kept, and
the form the EU's VIES register uses. The XLSX keeps them as typed, in text cells.
"""

import csv
import io
import json
import re
from array import array
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import repeat
from tempfile import SpooledTemporaryFile

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .events.models import Event, FieldUse, Question, QuestionKind, Registrants
from .extensions import db
from .questions.kinds import kind_of
from .questions.models import Answer
from .registrations.models import ATTENDANCE_MODE_LABELS, REGISTRATION_STATUS_LABELS, Registration

#: Registrations read from the database at a time (answers are loaded per chunk).
CHUNK_SIZE = 500
#: Size of the pieces a download is sent in.
CHUNK_BYTES = 64 * 1024
#: An XLSX being built stays in memory up to this size, then moves to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+-]?[ (]*\d[\d ().,/]*")

#: The fixed columns: header and XLSX width, in the order of ``_STORED_FIELDS``.
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
    # The question's own header: its label, with the unit of a measure ("Consumo (kWh)").
    own = [kind_of(q).header(q) for q in questions]
    taken = [label.casefold() for label in fixed] + [header.casefold() for header in own]
    # A header shared with another column gets the question's code, so columns stay apart.
    return fixed + [
        f"{header} ({q.code})" if taken.count(header.casefold()) > 1 else header
        for q, header in zip(questions, own, strict=True)
    ]


def column_widths(event: Event) -> list[int]:
    """XLSX column widths: fixed for the standard columns, from the header for questions."""
    fixed = [width for _label, width in _FIXED_COLUMNS]
    widths = fixed + [min(max(len(kind_of(q).header(q)) + 2, 12), 40) for q in _questions(event)]
    return _kept(event, widths)


#: Positions in ``_FIXED_COLUMNS`` of the standard fields an event's form may not ask.
_PARTY, _PHONE, _COMPANY, _VAT, _TAX_CODE = 4, 8, 9, 10, 11


def _omitted(event: Event) -> frozenset[int]:
    """The standard columns *event*'s form profile does not ask: left out of its exports."""
    omitted = set()
    if not event.asks_party_size:
        omitted.add(_PARTY)
    if event.phone_field is FieldUse.hidden:
        omitted.add(_PHONE)
    if not event.for_organisations:
        omitted.add(_COMPANY)
    if event.tax_id_field is FieldUse.hidden:
        omitted |= {_VAT, _TAX_CODE}
    elif event.registrants is Registrants.people:
        omitted.add(_VAT)
    return frozenset(omitted)


def _kept(event: Event, row: list) -> list:
    """*row* (a header, widths, cells or converters) without the columns *event* omits."""
    omitted = _omitted(event)
    return [cell for index, cell in enumerate(row) if index not in omitted] if omitted else row


def registration_rows(event: Event, *, ids: Collection[int] | None = None) -> Iterator[list]:
    """The header, then one row of typed values (int, float, date, str, None) per registration.

    Times are naive datetimes in the event's zone; statuses and choices are words.
    *ids*: only these registrations of the event (an organiser's selection).
    """
    questions = _questions(event)
    yield _kept(event, _headers(questions))
    converters = _typed_converters(event, questions)
    omitted = _omitted(event)
    for chunk in _stored_rows(event, questions, ids):
        for row in chunk:
            yield [
                convert(value)
                for index, (convert, value) in enumerate(zip(converters, row, strict=True))
                if index not in omitted
            ]


# -- reading ---------------------------------------------------------------------------------

_REGISTRATIONS = Registration.__table__
_ANSWERS = Answer.__table__
#: Answers joined to the registrations in one SELECT (SQLite joins at most 64 tables).
_JOINED_QUESTIONS = 30


def _as_stored(column):
    # No result processing: SQLite's text as it is, PostgreSQL's values as psycopg reads them.
    return sa.type_coerce(column, sa.String())


_STORED_FIELDS = (
    _REGISTRATIONS.c.id,
    _as_stored(_REGISTRATIONS.c.created_at),
    _as_stored(_REGISTRATIONS.c.status),
    _as_stored(_REGISTRATIONS.c.attendance),
    _REGISTRATIONS.c.party_size,
    _REGISTRATIONS.c.first_name,
    _REGISTRATIONS.c.last_name,
    _REGISTRATIONS.c.email,
    _REGISTRATIONS.c.phone,
    _REGISTRATIONS.c.company_name,
    _REGISTRATIONS.c.vat_number,
    _REGISTRATIONS.c.tax_code,
    _REGISTRATIONS.c.locale,
    _as_stored(_REGISTRATIONS.c.privacy_consent_at),
    _REGISTRATIONS.c.privacy_notice_version,
    _as_stored(_REGISTRATIONS.c.marketing_consent_at),
    _as_stored(_REGISTRATIONS.c.checked_in_at),
)


def _chunk_queries(questions: list[Question], dialect: str) -> list:
    """SELECTs of one chunk of registrations (``ids``): the fields and the first answers,
    then the id and the next answers, ``_JOINED_QUESTIONS`` answers a query."""
    if dialect == "postgresql":
        # The JSON text, decoded here like SQLite's (psycopg would decode it cell by cell).
        def stored_answer(alias):
            return sa.cast(alias.c.value, sa.Text())
    else:

        def stored_answer(alias):
            return _as_stored(alias.c.value)

    ids = sa.bindparam("ids", expanding=True)
    queries = []
    for start in range(0, max(len(questions), 1), _JOINED_QUESTIONS):
        fields = _STORED_FIELDS if start == 0 else (_REGISTRATIONS.c.id,)
        source, values = _REGISTRATIONS, []
        for n, question in enumerate(questions[start : start + _JOINED_QUESTIONS]):
            alias = _ANSWERS.alias(f"a{n}")
            source = source.outerjoin(
                alias,
                sa.and_(
                    alias.c.registration_id == _REGISTRATIONS.c.id,
                    alias.c.question_id == question.id,
                ),
            )
            values.append(stored_answer(alias))
        queries.append(
            sa.select(*fields, *values).select_from(source).where(_REGISTRATIONS.c.id.in_(ids))
        )
    return queries


def _stored_rows(
    event: Event, questions: list[Question], only: Collection[int] | None = None
) -> Iterator[list[tuple]]:
    """The event's registrations as stored, oldest first, in lists of ``CHUNK_SIZE`` rows.

    A row has the fields of ``_FIXED_COLUMNS``, then each question's answer as JSON text
    (a number where SQLite stored it as one; None without an answer). Times are SQLite's
    text or PostgreSQL's naive datetimes, in UTC; statuses their stored values.

    The ids come first, in one quick query (8 bytes each), then each chunk by its ids with
    its answers joined, one LEFT JOIN per question: one row per registration. No cursor
    stays open between chunks: on SQLite an open one would lock out every registration for
    as long as a slow download lasts. Each chunk is read through the session's connection
    of the moment (Core, no ORM objects), so a commit between chunks is harmless.
    """
    first, *others = _chunk_queries(questions, db.session.connection().dialect.name)
    wanted = sa.select(_REGISTRATIONS.c.id).where(_REGISTRATIONS.c.event_id == event.id)
    if only is not None:  # an organiser's selection
        wanted = wanted.where(_REGISTRATIONS.c.id.in_(sorted(only)))
    ids = array(
        "q",
        db.session.connection()
        .execute(wanted.order_by(_REGISTRATIONS.c.created_at, _REGISTRATIONS.c.id))
        .scalars(),
    )
    for start in range(0, len(ids), CHUNK_SIZE):
        params = {"ids": ids[start : start + CHUNK_SIZE].tolist()}
        connection = db.session.connection()
        by_id = {row[0]: row for row in connection.execute(first, params)}
        for query in others:
            more = {row[0]: row[1:] for row in connection.execute(query, params)}
            missing = (None,) * (len(query.selected_columns) - 1)
            by_id = {key: (*row, *more.get(key, missing)) for key, row in by_id.items()}
        # A registration deleted since the ids were read is simply left out.
        yield [by_id[i] for i in params["ids"] if i in by_id]


# -- values ----------------------------------------------------------------------------------


def _identity(value):
    return value


#: The C scanner under ``json.loads``, without its Python layers around it.
_scan_json = json.JSONDecoder().scan_once


def _decoded(stored):
    """An answer's value from its stored JSON text (SQLite may hand a number as such)."""
    if type(stored) is not str:
        return stored
    try:
        value, end = _scan_json(stored, 0)
    except StopIteration:  # leading blanks, or not JSON: json.loads decides
        return json.loads(stored)
    return value if end == len(stored) else json.loads(stored)


def _parse_utc(stored) -> datetime:
    # SQLite: "2026-03-01 09:00:00.000000"; PostgreSQL: a naive datetime already.
    moment = datetime.fromisoformat(stored) if type(stored) is str else stored
    return moment.replace(tzinfo=UTC)


def _typed_converters(event: Event, questions: list[Question]) -> list:
    """One function a column turning its stored value into the cell's typed value."""
    tz = event.tz
    statuses = {key.value: str(label) for key, label in REGISTRATION_STATUS_LABELS.items()}
    modes = {key.value: str(label) for key, label in ATTENDANCE_MODE_LABELS.items()}
    yes, no = _("Sì"), _("No")

    def local(stored) -> datetime | None:
        if stored is None:
            return None
        return _parse_utc(stored).astimezone(tz).replace(tzinfo=None)

    return [
        _identity,
        local,
        statuses.__getitem__,
        modes.__getitem__,
        _identity,
        *[_identity] * 8,  # first name … locale
        local,
        _identity,
        lambda stored: yes if stored else no,
        local,
        *(_answer_converter(q, yes, no) for q in questions),
    ]


def _answer_converter(question: Question, yes: str, no: str):
    """A function turning a stored answer into a cell value, as the question's kind makes
    it: words for choices, numbers, dates, text.

    Decoded JSON is remembered by its text (up to ``_MEMO_SIZE`` texts a column) for kinds
    whose answers repeat endlessly (choices, yes/no, dates).
    """
    kind = kind_of(question)
    convert = kind.cell(question, {"yes": yes, "no": no})

    def typed(stored):
        if stored is None:
            return None
        value = _decoded(stored)
        if value is None or value == "" or value == []:
            return None
        return convert(value)

    return _memoised(typed) if kind.few_values else typed


#: Decoded answers remembered per column (texts of choices, dates, yes/no repeat endlessly).
_MEMO_SIZE = 4096


def _memoised(convert):
    """*convert* remembering its results for stored texts (at most ``_MEMO_SIZE``)."""
    memo: dict = {}

    def cached(stored):
        if type(stored) is not str:
            return convert(stored)
        try:
            return memo[stored]
        except KeyError:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            value = memo[stored] = convert(stored)
            return value

    return cached


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
        return float_text(value, italian)
    return str(value)


def float_text(value: float, italian: bool) -> str:
    # Plain notation, never "1e+20": spreadsheets read it back as the same number.
    text = format(Decimal(repr(value)), "f")
    return text.replace(".", ",") if italian else text


def _csv_converters(italian: bool) -> dict[type, object]:
    """Cell formatters by exact type: one dict lookup per cell on the common types."""
    datetime_format = "%d/%m/%Y %H:%M" if italian else "%Y-%m-%d %H:%M"
    date_format = "%d/%m/%Y" if italian else "%Y-%m-%d"
    return {
        str: neutralise,
        int: str,
        bool: str,
        type(None): lambda _value: "",
        datetime: lambda value: value.strftime(datetime_format),
        date: lambda value: value.strftime(date_format),
        float: lambda value: float_text(value, italian),
    }


def _csv_moments(tz, italian: bool):
    """A function turning a stored UTC time into the CSV text of its time in *tz*.

    The zone conversion and formatting run about once an hour of registrations: for an
    hour in which the zone's offset stays the same, and is whole hours, the text is the
    hour's local text (``"26/10/2026 16:"``) followed by the minutes, as stored. Other
    hours (a change of offset, zones half an hour off) are converted time by time.
    """
    fmt = "%d/%m/%Y %H:%M" if italian else "%Y-%m-%d %H:%M"
    hours: dict = {}
    almost_an_hour = timedelta(minutes=59, seconds=59, microseconds=999_999)

    def hour_text(start: datetime) -> str | None:
        local = start.astimezone(tz)
        offset = local.utcoffset()
        if (
            offset % timedelta(hours=1)
            or (start + almost_an_hour).astimezone(tz).utcoffset() != offset
        ):
            return None
        return local.strftime(fmt)[:-2]

    def text(stored) -> str:
        if stored is None:
            return ""
        if type(stored) is str:
            # SQLite: "2026-10-26 15:46:32.580356".
            key = stored[:13]
            minutes = stored[14:16]
            valid = stored[13:14] == ":" and len(minutes) == 2
        else:
            key = stored.replace(minute=0, second=0, microsecond=0)
            minutes = _MINUTES[stored.minute]
            valid = True
        prefix = hours.get(key)
        if prefix and valid:
            return prefix + minutes
        moment = _parse_utc(stored)
        if prefix is None and valid:
            if len(hours) >= _MEMO_SIZE:
                hours.clear()
            hours[key] = hour_text(moment.replace(minute=0, second=0, microsecond=0)) or ""
        return moment.astimezone(tz).strftime(fmt)

    return text


_MINUTES = [f"{minute:02d}" for minute in range(60)]


def _float_csv_text(value: float, italian: bool) -> str:
    text = repr(value)
    if "e" in text or "n" in text:  # 1e+20, inf, nan: the exact way
        return float_text(value, italian)
    return text.replace(".", ",") if italian else text


def _csv_columns(event: Event, questions: list[Question], italian: bool) -> list:
    """For each column, None (written as stored) or a function turning a chunk's stored
    values of the column (a tuple) into the column's cells.

    Cells go column by column, mostly through ``map`` over C functions (dict lookups, a
    ``startswith`` scan), so that the work per cell is small: the CSV of 100,000
    registrations takes a few times what the sqlite3 command-line tool does.
    """
    typed = _typed_converters(event, questions)
    by_type = _csv_converters(italian)

    def cell_text(value) -> str:
        convert = by_type.get(type(value))
        return convert(value) if convert else _csv_text(value, italian)

    def text_field(stored):
        return neutralise(stored) if type(stored) is str else cell_text(stored)

    def text_column(column):
        try:
            if not any(map(str.startswith, column, repeat(_FORMULA_START))):
                return column
        except TypeError:  # not all text: the slow way
            pass
        return list(map(text_field, column))

    def words(convert):
        """Statuses and the consent: a handful of words, each formatted once."""
        cells = {}

        def column_cells(column):
            try:
                return list(map(cells.__getitem__, column))
            except KeyError:
                for stored in column:
                    if stored not in cells:
                        cells[stored] = cell_text(convert(stored))
                return list(map(cells.__getitem__, column))

        return column_cells

    def marketing(column):
        return consent(list(map(bool, column)))

    consent = words(typed[15])
    moment = _csv_moments(event.tz, italian)

    def moments(column):
        return list(map(moment, column))

    return [
        None,  # id: csv writes an integer as str() does
        moments,
        words(typed[2]),
        words(typed[3]),
        None,  # party size
        *[text_column] * 8,  # first name … locale
        moments,
        None,  # privacy notice version
        marketing,
        moments,
        *(
            _answer_column(question, convert, cell_text, italian)
            for question, convert in zip(questions, typed[len(_FIXED_COLUMNS) :], strict=True)
        ),
    ]


def _answer_column(question: Question, convert, cell_text, italian: bool):
    """The function turning a chunk of a question's stored answers into CSV cells."""

    def text(stored) -> str:
        return "" if stored is None else cell_text(convert(stored))

    if kind_of(question).few_values:
        # The text of every stored answer, remembered: one dict lookup a cell.
        memo: dict = {None: ""}

        def remembered(column):
            cells = list(map(memo.get, column))
            if None in cells:  # a text not seen yet, or a number as SQLite stores them
                if len(memo) >= _MEMO_SIZE:
                    memo.clear()
                    memo[None] = ""
                for index, cell in enumerate(cells):
                    if cell is None:
                        stored = column[index]
                        cells[index] = text(stored)
                        if type(stored) is str:
                            memo[stored] = cells[index]
            return cells

        return remembered
    if kind_of(question).numeric:

        def number(stored):
            # SQLite stores JSON numbers as numbers; csv writes integers as str() does.
            if type(stored) is float:
                return _float_csv_text(stored, italian)
            if stored is None or type(stored) is int:
                return stored
            return text(stored)

        def numbers(column):
            return list(map(number, column))

        return numbers

    def texts(column):
        return list(map(text, column))

    return texts


_VAT_COLUMN, _TAX_CODE_COLUMN = 10, 11
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")


def eu_form(value):
    """An Italian VAT number or numeric tax code in its EU form (``IT01876540194``), which
    spreadsheets read as text; anything else as it is."""
    if type(value) is str and _ELEVEN_DIGITS.fullmatch(value):
        return "IT" + value
    return value


def _identifier_columns(event: Event, questions: list[Question]) -> list[int]:
    """Positions, in the exported row, of the columns holding VAT numbers and tax codes."""
    wanted = {_VAT_COLUMN, _TAX_CODE_COLUMN} | {
        len(_FIXED_COLUMNS) + n for n, q in enumerate(questions) if q.kind is QuestionKind.vat
    }
    total = len(_FIXED_COLUMNS) + len(questions)
    kept = _kept(event, list(range(total)))
    return [position for position, index in enumerate(kept) if index in wanted]


def _in_eu_form(convert):
    def column_cells(column):
        return list(map(eu_form, column if convert is None else convert(column)))

    return column_cells


def csv_bytes(rows: Iterable[list], delimiter: str = ";") -> bytes:
    """Rows of typed values (a header first) as a CSV file for the same spreadsheets as the
    export: BOM, CRLF, Italian numbers and dates with ";", formulas neutralised."""
    italian = delimiter == ";"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write("\ufeff")
    converters = _csv_converters(italian)
    for row in rows:
        writer.writerow(_csv_cells(row, converters, italian))
    return buffer.getvalue().encode("utf-8")


def _csv_cells(row: list, converters: dict, italian: bool) -> list[str]:
    return [
        convert(value) if (convert := converters.get(type(value))) else _csv_text(value, italian)
        for value in row
    ]


def csv_chunks(
    event: Event,
    delimiter: str = ";",
    *,
    rows: Iterable[list] | None = None,
    ids: Collection[int] | None = None,
):
    """The CSV export as encoded pieces: BOM, header, then rows in pieces of 64 KiB or more.

    :param rows: the rows to write, by default ``registration_rows(event)`` (the CLI
        passes them through a progress bar). By default the cells are made straight from
        the stored values, column by column, which is several times faster.
    :param ids: only these registrations of the event (an organiser's selection).
    """
    italian = delimiter == ";"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write("\ufeff")
    questions = _questions(event)
    identifiers = _identifier_columns(event, questions)
    if rows is None:
        writer.writerow([neutralise(text) for text in _kept(event, _headers(questions))])
        converters = _kept(event, _csv_columns(event, questions, italian))
        for position in identifiers:
            converters[position] = _in_eu_form(converters[position])
        for chunk in _stored_rows(event, questions, ids):
            columns = _kept(event, list(zip(*chunk, strict=True)))
            writer.writerows(
                zip(
                    *(
                        column if convert is None else convert(column)
                        for convert, column in zip(converters, columns, strict=True)
                    ),
                    strict=True,
                )
            )
            if buffer.tell() >= CHUNK_BYTES:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    else:
        converters = _csv_converters(italian)
        for number, row in enumerate(rows):
            if number:  # the header stays as it is
                row = list(row)
                for position in identifiers:
                    row[position] = eu_form(row[position])
            writer.writerow(_csv_cells(row, converters, italian))
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


def write_xlsx(
    event: Event,
    fileobj,
    *,
    rows: Iterable[list] | None = None,
    ids: Collection[int] | None = None,
) -> None:
    """Write the XLSX export to the seekable binary *fileobj*.

    :param rows: as for :func:`csv_chunks`.
    :param ids: as for :func:`csv_chunks`.
    """
    rows = iter(registration_rows(event, ids=ids) if rows is None else rows)
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


def xlsx_chunks(
    event: Event, *, rows: Iterable[list] | None = None, ids: Collection[int] | None = None
) -> Iterator[bytes]:
    """The XLSX export as pieces: built in a spooled temporary file, then read back.

    :param rows: as for :func:`csv_chunks`.
    :param ids: as for :func:`csv_chunks`.
    """
    with SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        write_xlsx(event, spool, rows=rows, ids=ids)
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk
