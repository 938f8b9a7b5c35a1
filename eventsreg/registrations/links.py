"""Personal links: a registration may have several that work at once.

Sending the link again (the registrant asked, or sent the form a second time) adds a new
link and keeps the earlier ones working: whoever holds a link keeps their page. Each link
has its own check-in code. Only hashes are stored. An organiser's revocation, erasure and
the retention purge end every link at once.
"""

from .. import tokens
from . import checkin
from .models import Registration, RegistrationLink

#: Earlier links kept per registration; beyond this the oldest stops working.
MAX_EARLIER_LINKS = 20


def new_link(registration: Registration) -> str:
    """A new personal link for *registration*, the earlier ones kept; returns the token."""
    if registration.token_hash:
        registration.earlier_links.append(
            RegistrationLink(
                token_hash=registration.token_hash,
                checkin_token_hash=registration.checkin_token_hash,
            )
        )
        del registration.earlier_links[:-MAX_EARLIER_LINKS]
    token, registration.token_hash = tokens.new_token()
    registration.checkin_token_hash = checkin.checkin_hash(token)
    return token


def end_earlier_links(registration: Registration) -> None:
    """Stop every link but the newest from working."""
    registration.earlier_links.clear()


def _find(newest, earlier, token: str | None) -> Registration | None:
    """The registration whose newest link (column *newest*) or one of whose earlier links
    (column *earlier* of RegistrationLink) matches *token*."""
    found = tokens.find(Registration, newest, token)
    if found is None:
        link = tokens.find(RegistrationLink, earlier, token)
        found = link.registration if link is not None else None
    return found


def find_by_token(token: str | None) -> Registration | None:
    """The registration one of whose personal links is *token*."""
    return _find(Registration.token_hash, RegistrationLink.token_hash, token)


def find_by_checkin_token(token: str | None) -> Registration | None:
    """The registration one of whose check-in codes (one per link) is *token*."""
    return _find(Registration.checkin_token_hash, RegistrationLink.checkin_token_hash, token)
