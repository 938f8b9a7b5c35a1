"""Personal tokens inside queued emails, kept encrypted until the message is sent.

Registrations store only a token's hash; a queued email must still be able to carry the
link after a restart, so the outbox keeps the token sealed with a key derived from the
secret key, and forgets it once the message is sent.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

#: Stands for the token in stored bodies; URL-safe, so it survives URL building.
PLACEHOLDER = "__personal_token__"


class SealBroken(Exception):
    """The sealed token cannot be opened (the secret key has changed)."""


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"]
    return _fernet_of(secret if isinstance(secret, bytes) else str(secret).encode())


@lru_cache(maxsize=4)
def _fernet_of(secret: bytes) -> Fernet:
    # Made once per secret key: every registration seals its token.
    key = hashlib.sha256(b"eventsreg outbox token\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode()
    except InvalidToken:
        raise SealBroken(
            "the personal link cannot be decrypted: was the secret key changed?"
        ) from None


def reveal(text: str, sealed: str | None) -> str:
    """*text* with the placeholder replaced by the real token."""
    if not sealed or PLACEHOLDER not in text:
        return text
    return text.replace(PLACEHOLDER, unseal(sealed))
