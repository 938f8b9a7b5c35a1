"""Fair baseline for the registration figure: the same form on the bare stack.

A bare Flask + Flask-WTF app with the demo event's form: the standard fields and the 25
questions of the energy-community questionnaire (with their conditions), CSRF on (the
session cookie and token from a GET of the form, as the app's clients have), the same
kinds of validation (``email_validator``, python-stdnum's Italian VAT number and tax code,
the POD, substation and ATECO patterns, numbers in Italian with Babel), and one
transaction writing the registration row, one row per answer (``executemany``) and an
outbox row with the confirmation email rendered from a small Jinja template (text and
HTML). It answers 303 as the app does. Nothing of eventsreg is imported.

``BENCH_BASELINE_DB`` is a SQLite file path, or a PostgreSQL URL (``postgresql://…``),
with ``BENCH_BASELINE_SCHEMA`` the schema to write in; ``BENCH_FAIR_FIELDS`` maps the
questions' codes to the form's field names (the app's ``q_<id>``), so that both receive
the same bytes.
"""

import json
import os
import re
import sqlite3
from datetime import UTC, datetime

from babel.numbers import NumberFormatError, format_decimal, parse_decimal
from email_validator import EmailNotValidError, validate_email
from flask import Flask, redirect, render_template_string
from flask_wtf import FlaskForm
from jinja2 import Environment
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

TARGET = os.environ.get("BENCH_BASELINE_DB", "")
SCHEMA = os.environ.get("BENCH_BASELINE_SCHEMA", "public")
FIELD_NAMES: dict[str, str] = json.loads(os.environ.get("BENCH_FAIR_FIELDS") or "{}")
POSTGRES = TARGET.startswith("postgresql")

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("BENCH_SECRET", "fair-baseline-secret")
_connection = None

YES_NO = [("yes", "Sì"), ("no", "No")]
INTERESTED = ("yes", "more_info")
BANDS = [("le2", "Fino a 2 milioni"), ("le10", "Da 2 a 10 milioni"), ("le50", "Da 10 a 50"),
         ("gt50", "Oltre 50"), ("le43", "Da 10 a 43"), ("gt43", "Oltre 43")]  # fmt: skip

#: (code, kind, label, required, choices, condition (parent code, values), settings)
QUESTIONS = [
    ("interest", "choice", "Interesse ad aderire", True,
     [("yes", "Sì"), ("more_info", "Più informazioni"), ("no", "No")], None, {}),
    ("member_kind", "choice", "Si partecipa come", True,
     [("company", "Impresa"), ("public_body", "Ente pubblico"), ("association", "Associazione"),
      ("person", "Persona fisica")], ("interest", INTERESTED), {}),
    ("staff", "choice", "Addetti", True,
     [("lt10", "Meno di 10"), ("10_49", "Da 10 a 49"), ("50_249", "Da 50 a 249"),
      ("250_plus", "250 o più")], ("member_kind", ("company",)), {}),
    ("turnover", "choice", "Fatturato annuo", False, BANDS, ("member_kind", ("company",)), {}),
    ("balance_sheet", "choice", "Totale di bilancio", False, BANDS,
     ("member_kind", ("company",)), {}),
    ("group", "yesno", "Parte di un gruppo", False, YES_NO, ("member_kind", ("company",)), {}),
    ("ateco", "ateco", "Codice ATECO", False, None, ("member_kind", ("company",)), {}),
    ("ateco_edition", "choice", "Classificazione ATECO", False,
     [("2025", "ATECO 2025"), ("2007", "ATECO 2007")], ("member_kind", ("company",)), {}),
    ("area", "choice", "Area", True,
     [("ex_olivetti", "Ex Olivetti"), ("pip_pierina", "PIP Pierina"), ("other", "Altra zona")],
     ("interest", INTERESTED), {}),
    ("role", "choice", "Ruolo", True,
     [("consumer", "Consumatore"), ("producer", "Produttore"), ("prosumer", "Entrambi")],
     ("interest", INTERESTED), {}),
    ("supply_points", "supply", "Punti di prelievo", False, None, ("interest", INTERESTED), {}),
    ("annual_kwh", "number", "Consumo annuo", False, None, ("role", ("consumer", "prosumer")),
     {"min": 0, "max": 1_000_000_000, "integer": True, "unit": "kWh"}),
    ("has_pv", "yesno", "Impianto fotovoltaico", False, YES_NO, ("interest", INTERESTED), {}),
    ("pv_existing_kwp", "number", "Potenza esistente", False, None, ("has_pv", ("yes",)),
     {"min": 0, "max": 100_000, "unit": "kWp"}),
    ("pv_existing_year", "year", "Anno", False, None, ("has_pv", ("yes",)),
     {"min": 1990, "max": 2100, "integer": True}),
    ("pv_existing_period", "choice", "Entrata in esercizio", False,
     [("before", "Prima"), ("after", "Dopo")], ("has_pv", ("yes",)), {}),
    ("pv_existing_substation", "substation", "Cabina esistente", False, None,
     ("has_pv", ("yes",)), {}),
    ("net_metering", "yesno", "Scambio sul posto", False, YES_NO, ("has_pv", ("yes",)), {}),
    ("pv_planned_kwp", "number", "Potenza prevista", False, None,
     ("role", ("producer", "prosumer")), {"min": 0, "max": 1000, "unit": "kWp"}),
    ("pv_planned_substation", "substation", "Cabina prevista", False, None,
     ("role", ("producer", "prosumer")), {}),
    ("roof_area_m2", "number", "Superficie di tetto", False, None, ("interest", INTERESTED),
     {"min": 0, "max": 1_000_000, "unit": "m²"}),
    ("asbestos", "yesno", "Amianto", False, YES_NO, ("interest", INTERESTED), {}),
    ("invest", "choice", "Investire", False,
     [("yes", "Sì"), ("no", "No"), ("evaluate", "Da valutare")], ("interest", INTERESTED), {}),
    ("notes", "text", "Note", False, None, None, {"max_length": 2000}),
    ("non_binding", "checkbox", "Non vincolante", True, None, ("interest", INTERESTED), {}),
]  # fmt: skip

POD_RE = re.compile(r"IT[0-9]{3}E[0-9]{8}[A-Z0-9]?")
SUBSTATION_RE = re.compile(r"AC[0-9]{3}E[0-9]{5}")
ATECO_RE = re.compile(r"([0-9]{2}) *[.\-]? *([0-9]{2}) *[.\-]? *([0-9]{2})")
PHONE_RE = re.compile(r"\+?[0-9 /.()\-]*")
PARTS_RE = re.compile(r"\s*[;|\t]\s*")


def _number(text: str, settings: dict):
    try:
        value = parse_decimal(text.strip(), locale="it", strict=True)
    except NumberFormatError:
        raise ValidationError("Inserire un numero.") from None
    if not settings.get("min", value) <= value <= settings.get("max", value):
        raise ValidationError("Numero fuori dall'intervallo.")
    if settings.get("integer") or value == value.to_integral_value():
        return int(value)
    return float(value)


def _code(pattern: re.Pattern, text: str) -> str:
    code = re.sub(r"[\s.\-]+", "", text).upper()
    if not pattern.fullmatch(code):
        raise ValidationError("Codice non valido.")
    return code


def _supply_points(text: str) -> list[dict]:
    points = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = PARTS_RE.split(line.strip())
        pod = _code(POD_RE, parts[0])
        substation = _code(SUBSTATION_RE, parts[1]) if len(parts) > 1 and parts[1] else None
        kwh = _number(parts[2], {"min": 0}) if len(parts) > 2 and parts[2] else None
        points.append({"pod": pod, "substation": substation, "kwh": kwh})
    return points


def _parse(kind: str, raw, settings: dict, choices):
    if kind in ("choice", "yesno"):
        if raw not in {value for value, _label in choices}:
            raise ValidationError("Scelta non valida.")
        return raw == "yes" if kind == "yesno" else raw
    if kind == "checkbox":
        return True
    if kind in ("number", "year"):
        return _number(raw, settings)
    if kind == "ateco":
        match = ATECO_RE.fullmatch(raw.strip())
        if not match:
            raise ValidationError("Codice ATECO non valido.")
        return ".".join(match.groups())
    if kind == "substation":
        return _code(SUBSTATION_RE, raw)
    if kind == "supply":
        return _supply_points(raw)
    if len(raw) > settings.get("max_length", 300):
        raise ValidationError("Testo troppo lungo.")
    return raw.strip()


class QuestionCheck:
    """Parses one answer, skipped when its condition is not met; keeps the parsed value."""

    def __init__(self, spec):
        self.code, self.kind, _label, self.required, self.choices, self.condition, self.settings = (
            spec
        )

    def __call__(self, form, field):
        field.parsed = None
        if self.condition is not None:
            parent, values = self.condition
            if form.answers_raw(parent) not in values:
                return
        raw = field.data
        if raw in (None, "", False):
            if self.required:
                raise ValidationError("Rispondere a questa domanda.")
            return
        field.parsed = _parse(self.kind, raw, self.settings, self.choices)


def _question_field(spec):
    code, kind, label, _required, choices, _condition, _settings = spec
    validators = [QuestionCheck(spec)]
    if kind in ("choice", "yesno"):
        return RadioField(label, choices=choices, validators=validators, validate_choice=False)
    if kind == "checkbox":
        return BooleanField(label, validators=validators)
    if kind in ("supply", "text"):
        return TextAreaField(label, validators=validators)
    return StringField(label, validators=validators)


def email_check(form, field):
    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError("Inserire un indirizzo email valido.") from None


def vat_check(form, field):
    if field.data:
        try:
            field.data = iva.validate(field.data)
        except StdnumError:
            raise ValidationError("Partita IVA non valida.") from None


def tax_code_check(form, field):
    if field.data:
        try:
            field.data = codicefiscale.validate(field.data)
        except StdnumError:
            try:
                field.data = iva.validate(field.data)
            except StdnumError:
                raise ValidationError("Codice fiscale non valido.") from None


def phone_check(form, field):
    if field.data and not PHONE_RE.fullmatch(field.data):
        raise ValidationError("Numero di telefono non valido.")
    field.data = " ".join((field.data or "").split())


class RegistrationForm(FlaskForm):
    first_name = StringField("Nome", validators=[DataRequired(), Length(max=100)])
    last_name = StringField("Cognome", validators=[DataRequired(), Length(max=100)])
    email = StringField("Email", validators=[DataRequired(), Length(max=254), email_check])
    phone = StringField("Telefono", validators=[Optional(), Length(max=40), phone_check])
    company_name = StringField("Azienda o ente", validators=[DataRequired(), Length(max=200)])
    vat_number = StringField("Partita IVA", validators=[Length(max=40), vat_check])
    tax_code = StringField("Codice fiscale", validators=[Length(max=40), tax_code_check])
    attendance = RadioField(
        "Partecipazione",
        choices=[("in_person", "In presenza"), ("online", "Online"), ("not_attending", "No")],
        validators=[InputRequired()],
    )
    party_size = StringField("Persone", default="1")
    privacy_consent = BooleanField("Privacy", validators=[DataRequired()])
    marketing_consent = BooleanField("Comunicazioni")

    def answers_raw(self, code: str):
        return self[FIELD_NAMES.get(code, code)].data

    def validate_party_size(self, field):
        if not (field.data or "").strip().isdigit() or not 1 <= int(field.data) <= 5:
            raise ValidationError("Inserire un numero di persone da 1 a 5.")


for _spec in QUESTIONS:
    setattr(RegistrationForm, FIELD_NAMES.get(_spec[0], _spec[0]), _question_field(_spec))

SPECS = {spec[0]: spec for spec in QUESTIONS}


def _words(code: str, value) -> str:
    """An answer as the email shows it: the option's label, Sì/No, numbers in Italian."""
    _code, kind, _label, _required, choices, _condition, settings = SPECS[code]
    if kind == "choice":
        return dict(choices).get(value, value)
    if kind in ("yesno", "checkbox"):
        return "Sì" if value else "No"
    if kind == "number":
        unit = settings.get("unit")
        return format_decimal(value, locale="it") + (f" {unit}" if unit else "")
    if kind == "supply":
        return "; ".join(
            point["pod"]
            + (f" (cabina {point['substation']}" if point["substation"] else " (")
            + (f", {format_decimal(point['kwh'], locale='it')} kWh)" if point["kwh"] else ")")
            for point in value
        )
    return str(value)


EMAIL_TEXT = """\
Gentile {{ first_name }} {{ last_name }},

la sua iscrizione è registrata.

I dati inviati:
- Azienda o ente: {{ company_name }}
- Partita IVA: {{ vat_number }}
{% for label, value in answers %}- {{ label }}: {{ value }}
{% endfor %}
Con il link personale è possibile modificare o ritirare l'iscrizione:
https://eventi.example.org/r/__personal_token__
"""
EMAIL_HTML = """\
<!doctype html><html lang="it"><body><h1>{{ subject }}</h1>
<p>Gentile {{ first_name }} {{ last_name }},</p><p>la sua iscrizione è registrata.</p>
<table>{% for label, value in answers %}<tr><th scope="row">{{ label }}</th>
<td>{{ value }}</td></tr>{% endfor %}</table>
<p><a href="https://eventi.example.org/r/__personal_token__">Il link personale</a></p>
</body></html>
"""

TEXT_TEMPLATE = Environment(autoescape=False).from_string(EMAIL_TEXT)
HTML_TEMPLATE = Environment(autoescape=True).from_string(EMAIL_HTML)

CREATE = [
    "CREATE TABLE IF NOT EXISTS fair_registrations (id {serial} PRIMARY KEY, event_id INTEGER, "
    "email TEXT, first_name TEXT, last_name TEXT, phone TEXT, company_name TEXT, "
    "vat_number TEXT, tax_code TEXT, attendance TEXT, party_size INTEGER, status TEXT, "
    "locale TEXT, privacy_consent_at TIMESTAMP, marketing_consent_at TIMESTAMP, "
    "created_at TIMESTAMP, UNIQUE (event_id, email))",
    "CREATE TABLE IF NOT EXISTS fair_answers (id {serial} PRIMARY KEY, registration_id "
    "INTEGER REFERENCES fair_registrations (id), question_code TEXT, value TEXT, "
    "UNIQUE (registration_id, question_code))",
    "CREATE TABLE IF NOT EXISTS fair_outbox (id {serial} PRIMARY KEY, registration_id "
    "INTEGER REFERENCES fair_registrations (id), to_address TEXT, subject TEXT, "
    "text_body TEXT, html_body TEXT, status TEXT, created_at TIMESTAMP)",
]


def connection():
    global _connection
    if _connection is None:
        if POSTGRES:
            import psycopg

            url = TARGET.replace("postgresql+psycopg://", "postgresql://")
            _connection = psycopg.connect(url, options=f"-csearch_path={SCHEMA}")
        else:
            _connection = sqlite3.connect(TARGET, timeout=10, isolation_level=None)
            # The same settings as the app's SQLite connections (eventsreg/database.py).
            _connection.execute("PRAGMA journal_mode=WAL")
            _connection.execute("PRAGMA busy_timeout=10000")
            _connection.execute("PRAGMA foreign_keys=ON")
            _connection.execute("PRAGMA synchronous=FULL")
    return _connection


def create_tables() -> None:
    """Create the tables (the harness calls it once, before the workers start)."""
    conn = connection()
    for statement in CREATE:
        conn.execute(statement.format(serial="SERIAL" if POSTGRES else "INTEGER"))
    if POSTGRES:
        conn.commit()


def _sql(statement: str) -> str:
    return statement.replace("?", "%s") if POSTGRES else statement


@app.route("/register", methods=["GET", "POST"])
def register():
    form = RegistrationForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template_string(FORM_PAGE, form=form), status
    now = datetime.now(UTC).replace(tzinfo=None)
    answers = [
        (spec[0], form[FIELD_NAMES.get(spec[0], spec[0])].parsed)
        for spec in QUESTIONS
        if form[FIELD_NAMES.get(spec[0], spec[0])].parsed not in (None, "", [])
    ]
    subject = "Iscrizione registrata"
    context = {
        "subject": subject,
        "first_name": form.first_name.data,
        "last_name": form.last_name.data,
        "company_name": form.company_name.data,
        "vat_number": form.vat_number.data,
        "answers": [(SPECS[code][2], _words(code, value)) for code, value in answers],
    }
    text_body = TEXT_TEMPLATE.render(**context)
    html_body = HTML_TEMPLATE.render(**context)
    row = (
        1,
        form.email.data,
        form.first_name.data,
        form.last_name.data,
        form.phone.data,
        form.company_name.data,
        form.vat_number.data,
        form.tax_code.data,
        form.attendance.data,
        int(form.party_size.data),
        "confirmed",
        "it",
        now,
        now if form.marketing_consent.data else None,
        now,
    )
    conn = connection()
    if not POSTGRES:
        conn.execute("BEGIN IMMEDIATE")
    try:
        registration_id = conn.execute(
            _sql(
                "INSERT INTO fair_registrations (event_id, email, first_name, last_name, phone, "
                "company_name, vat_number, tax_code, attendance, party_size, status, locale, "
                "privacy_consent_at, marketing_consent_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
            ),
            row,
        ).fetchone()[0]
        cursor = conn.cursor()
        cursor.executemany(
            _sql(
                "INSERT INTO fair_answers (registration_id, question_code, value) VALUES (?, ?, ?)"
            ),
            [(registration_id, code, json.dumps(value)) for code, value in answers],
        )
        conn.execute(
            _sql(
                "INSERT INTO fair_outbox (registration_id, to_address, subject, text_body, "
                "html_body, status, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)"
            ),
            (registration_id, form.email.data, subject, text_body, html_body, now),
        )
    except BaseException:
        conn.rollback() if POSTGRES else conn.execute("ROLLBACK")
        raise
    conn.commit() if POSTGRES else conn.execute("COMMIT")
    return redirect("/registered", code=303)


FORM_PAGE = """\
<!doctype html><html lang="it"><body><form method="post">{{ form.hidden_tag() }}
{% for field in form if field.name != 'csrf_token' %}<p>{{ field.label }} {{ field() }}
{% for error in field.errors %}<span>{{ error }}</span>{% endfor %}</p>{% endfor %}
<button>Invia</button></form></body></html>
"""


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
