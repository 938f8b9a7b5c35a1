"""The confirmation of an erasure: it only carries the CSRF token."""

from ..forms import BaseForm


class EraseForm(BaseForm):
    """Confirms that the registration and its data are to be erased."""
