"""Secret tokens in links: made, stored and looked up in one way.

A token is 32 random bytes (256 bits, ``secrets.token_urlsafe``, 43 characters). Only its
SHA-256 is stored, so the database alone opens no link. A lookup goes through the hash's
unique index, then compares the stored hash with the computed one in constant time: the
comparison of secrets never depends on how many leading characters match. Replacing the
stored hash revokes a token at once.
"""

import hashlib
import hmac
import secrets

import sqlalchemy as sa

from .extensions import db

#: Longer input is no token of ours: refused before hashing.
MAX_LENGTH = 100


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its hash."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def find(model, column, token: str | None):
    """The row of *model* whose *column* holds the hash of *token*, or None."""
    if not token or len(token) > MAX_LENGTH:
        return None
    digest = hash_token(token)
    row = db.session.scalar(sa.select(model).where(column == digest))
    if row is None or not hmac.compare_digest(getattr(row, column.key), digest):
        return None
    return row
