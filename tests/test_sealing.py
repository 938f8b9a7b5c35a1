"""Personal tokens sealed in queued emails (eventsreg/mail/sealing.py)."""

import base64
import hashlib

import pytest
from cryptography.fernet import Fernet

from eventsreg.mail import sealing
from eventsreg.mail.sealing import SealBroken, reveal, seal, unseal

TOKEN = "Zx8y3Kq9lWm2Hn4Rt6Vb1Cd5Fg7Jk0LpQrStUvWxYz0"


def _fernet_sealed(app, token: str) -> str:
    """*token* as the outbox sealed it before AES-GCM: Fernet, its key from the secret."""
    secret = app.config["SECRET_KEY"].encode()
    key = hashlib.sha256(b"eventsreg outbox token\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key)).encrypt(token.encode()).decode("ascii")


def test_a_sealed_token_opens_with_the_same_key_and_hides_the_token(app):
    sealed = seal(TOKEN)
    assert TOKEN not in sealed and sealed.startswith("a1.")
    assert unseal(sealed) == TOKEN
    # A fresh nonce for each seal: the same token never gives the same text twice.
    assert seal(TOKEN) != sealed
    assert len(sealed) <= 255  # outbox_emails.secret


def test_a_token_sealed_before_with_fernet_still_opens(app):
    """Emails queued before the change of cipher are sent with their links."""
    sealed = _fernet_sealed(app, TOKEN)
    assert unseal(sealed) == TOKEN
    assert reveal("https://example.org/r/__personal_token__", sealed) == (
        f"https://example.org/r/{TOKEN}"
    )


@pytest.mark.parametrize("fernet", [False, True])
def test_a_token_sealed_with_another_secret_key_does_not_open(app, fernet):
    sealed = _fernet_sealed(app, TOKEN) if fernet else seal(TOKEN)
    app.config["SECRET_KEY"] = "another secret key, rotated"
    with pytest.raises(SealBroken):
        unseal(sealed)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s[:-2] + ("AA" if not s.endswith("AA") else "BB"),  # the tag
        lambda s: s[:10] + ("x" if s[10] != "x" else "y") + s[11:],  # the nonce
        lambda s: s[:-4],  # cut short
        lambda s: "a1.not base64 at all!",
        lambda s: "a1.",
    ],
)
def test_a_changed_sealed_token_does_not_open(app, change):
    with pytest.raises(SealBroken):
        unseal(change(seal(TOKEN)))


def test_the_cipher_is_made_once_per_secret_key(app):
    sealing._aes_of.cache_clear()
    seal(TOKEN)
    seal(TOKEN)
    assert sealing._aes_of.cache_info().misses == 1
