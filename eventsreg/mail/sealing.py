"""Personal tokens inside queued emails, kept encrypted until the message is sent.

Registrations store only a token's hash; a queued email must still be able to carry the
link after a restart, so the outbox keeps the token sealed with a key derived from the
secret key, and forgets it once the message is sent.

A token is sealed with AES-256-GCM (authenticated encryption: a changed or forged value
does not open), a random 96-bit nonce per token, as NIST SP 800-38D recommends
(https://csrc.nist.gov/pubs/sp/800/38/d/final, checked on 2026-12-03), through the
``cryptography`` package's AESGCM: one call into OpenSSL, where Fernet, used before,
made a cipher, a padder and an HMAC for each token in Python (a registration seals one).
Tokens sealed with Fernet before, in emails still queued, open as they did.
"""

import base64
import binascii
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

#: Stands for the token in stored bodies; URL-safe, so it survives URL building.
PLACEHOLDER = "__personal_token__"

#: Starts a token sealed with AES-GCM (a Fernet token starts with "gAAAAA").
_AES_GCM = "a1."
_NONCE_BYTES = 12


class SealBroken(Exception):
    """The sealed token cannot be opened (the secret key has changed)."""


def _secret() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    return secret if isinstance(secret, bytes) else str(secret).encode()


@lru_cache(maxsize=4)
def _aes_of(secret: bytes) -> AESGCM:
    # Made once per secret key: every registration seals its token.
    return AESGCM(hashlib.sha256(b"eventsreg outbox token aes-gcm\0" + secret).digest())


@lru_cache(maxsize=4)
def _fernet_of(secret: bytes) -> Fernet:
    key = hashlib.sha256(b"eventsreg outbox token\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(token: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aes_of(_secret()).encrypt(nonce, token.encode(), None)
    return _AES_GCM + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(sealed: str) -> str:
    try:
        if sealed.startswith(_AES_GCM):
            data = base64.urlsafe_b64decode(sealed[len(_AES_GCM) :])
            nonce, encrypted = data[:_NONCE_BYTES], data[_NONCE_BYTES:]
            return _aes_of(_secret()).decrypt(nonce, encrypted, None).decode()
        return _fernet_of(_secret()).decrypt(sealed.encode("ascii")).decode()
    except (InvalidTag, InvalidToken, ValueError, binascii.Error):
        raise SealBroken(
            "the personal link cannot be decrypted: was the secret key changed?"
        ) from None


def reveal(text: str, sealed: str | None) -> str:
    """*text* with the placeholder replaced by the real token."""
    if not sealed or PLACEHOLDER not in text:
        return text
    return text.replace(PLACEHOLDER, unseal(sealed))
