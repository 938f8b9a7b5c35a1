"""The base form every form of the service derives from."""

import re
import unicodedata

from flask_wtf import FlaskForm

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
