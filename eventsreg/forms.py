"""The base form every form of the service derives from."""

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import StopValidation

# C0/C1 controls other than tab and newline, and the bidirectional overrides that can
# make text read differently from what is stored (Trojan Source).
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(value):
    """Normalise submitted text: NFC, no control characters, CRLF to LF, trimmed."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return _UNWANTED.sub("", value).strip()


class BaseForm(FlaskForm):
    """A FlaskForm whose text fields are cleaned before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            filters.append(clean_text)
            return unbound_field.bind(form=form, filters=filters, **options)


class EmailAddress:
    """Validates an email address (syntax only) and stores it normalised in lower case."""

    field_flags = {}

    def __init__(self, message=None):
        self.message = message or _l(
            "Scrivi un indirizzo email valido, ad esempio nome@azienda.it."
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
