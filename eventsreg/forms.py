"""The base form every form of the service derives from."""

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from flask_wtf.form import _Auto
from markupsafe import escape
from werkzeug.datastructures import CombinedMultiDict
from wtforms import Label, StringField, TextAreaField
from wtforms.fields.core import Flags
from wtforms.validators import StopValidation

# C0/C1 controls other than tab and newline, and the bidirectional overrides that can
# make text read differently from what is stored (Trojan Source).
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(value):
    """Normalise submitted text: NFC, no control characters, CRLF to LF, trimmed."""
    if not isinstance(value, str):
        return value
    if value.isascii() and value.isprintable():
        # Most of what a form sends: nothing to normalise, remove or turn into LF (tab
        # and line breaks are not printable, every control character is outside this).
        return value.strip()
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", value).strip()


_LINE_BREAK = re.compile(r"\s*\n\s*")


def clean_line(value):
    """Like :func:`clean_text`, for one-line fields: line breaks become spaces (a name
    with a line break would break the email header it goes into)."""
    value = clean_text(value)
    if not isinstance(value, str) or "\n" not in value:
        return value
    return _LINE_BREAK.sub(" ", value)


class _TokenWhenShown:
    """A form's CSRF token, signed when a page shows it: a form submitted and accepted
    (a registration, redirected) never shows it again, and signing it costs as much as
    checking it."""

    __slots__ = ("_sign", "_token")

    def __init__(self, sign):
        self._sign, self._token = sign, None

    def __str__(self) -> str:
        if self._token is None:
            self._token = self._sign()
        return self._token

    def __html__(self) -> str:
        return str(escape(str(self)))


class _CSRF(_FlaskFormCSRF):
    # Flask-WTF's form CSRF, its token signed only when shown.
    def generate_csrf_token(self, csrf_token_field):
        return _TokenWhenShown(lambda: super(_CSRF, self).generate_csrf_token(csrf_token_field))


class BaseForm(FlaskForm):
    """A FlaskForm whose text fields are cleaned before validation, and which reads only
    what a browser's form sends."""

    class Meta:
        csrf_class = _CSRF

        def bind_field(self, form, unbound_field, options):
            # Worked out once per field of a form class (the class keeps its unbound
            # fields), not on every form made.
            filters = unbound_field.__dict__.get("_cleaning_filters")
            if filters is None:
                filters = unbound_field._cleaning_filters = _cleaning_filters(unbound_field)
            return unbound_field.bind(form=form, filters=filters, **options)

        def wrap_formdata(self, form, formdata):
            # Flask-WTF would also read a JSON body, whose numbers, lists and objects no
            # field expects; and it would ignore an empty POST, letting the fields keep
            # their current values. A submitted form is the form body, empty or not.
            if formdata is _Auto:
                if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                    if request.files:
                        return CombinedMultiDict((request.files, request.form))
                    return request.form
                return None
            return formdata


class KeptFieldsMeta:
    """Form options for a form made on every request of a hot path (the registration
    form): each field is bound once per form class, kept unused, and copied for each form.

    WTForms builds every field of every form anew (its label, flags, validators checked,
    options), about as much work as reading the submitted values. A copy shares what no
    form changes (validators, filters, widget, texts) and has its own label, flags,
    options, choices and form; the values a form reads and its errors are set on the
    copy when the form processes and validates."""

    def bind_field(self, form, unbound_field, options):
        kept = unbound_field.__dict__.setdefault("_kept_bound", {})
        key = (options["name"], options.get("prefix", ""), id(options.get("translations")))
        original = kept.get(key)
        if original is None:
            original = kept[key] = super().bind_field(form, unbound_field, options)
            # Kept without the first form it was made for.
            original._form = original.meta = None
        # Made as copy.copy would, past Field.__new__ (which makes unbound fields).
        field = object.__new__(type(original))
        field.__dict__.update(original.__dict__)
        field._form, field.meta = form, form.meta
        field.flags = flags = Flags()
        flags.__dict__.update(original.flags.__dict__)
        field.label = Label(original.label.field_id, original.label.text)
        if original.render_kw is not None:
            field.render_kw = dict(original.render_kw)
        if isinstance(getattr(original, "choices", None), list):
            field.choices = list(original.choices)
        return field


def _cleaning_filters(unbound_field) -> tuple:
    """*unbound_field*'s own filters, then the cleaning of its text (one line or many)."""
    field_class = unbound_field.field_class
    one_line = issubclass(field_class, StringField) and not issubclass(field_class, TextAreaField)
    return (*unbound_field.kwargs.get("filters", ()), clean_line if one_line else clean_text)


class EmailAddress:
    """Validates an email address (syntax only) and stores it normalised in lower case."""

    field_flags = {}

    def __init__(self, message=None):
        self.message = message or _l(
            "Inserire un indirizzo email valido, ad esempio nome@azienda.it."
        )

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalize_email(field.data)
        except EmailNotValidError:
            raise StopValidation(str(self.message)) from None


def normalize_email(address: str, *, lower: bool = True) -> str:
    """*address* checked and normalised (in lower case unless told); raises EmailNotValidError.

    Registrations and accounts are keyed by address, so those are kept in lower case.
    """
    normalized = validate_email(address, check_deliverability=False).normalized
    return normalized.lower() if lower else normalized
