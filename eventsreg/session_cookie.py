"""The session cookie: Flask's signed cookie, written with less work.

Flask builds a new signing serializer for each reading and each writing of the cookie,
and its serializer tries zlib on every writing to see whether the cookie comes out
shorter. A registration writes the cookie (the personal link the confirmation page
shows), so both showed in its profile. Here the serializer is made once per set of keys,
and the payload is written as signed JSON without compression: this service's sessions
hold a few short tokens, far from a cookie's 4 KB. A compressed cookie written before
(by Flask's own interface) is still read.
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin


class _Uncompressed(URLSafeTimedSerializer):
    """URL-safe, timed and signed, as Flask's, without trying zlib on each payload."""

    def dump_payload(self, obj) -> bytes:
        # The JSON of the serializer below the URL-safe mixin, base64 as the mixin writes it.
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session with its serializer kept (see the module)."""

    def __init__(self) -> None:
        self._kept: tuple[tuple, _Uncompressed] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        # The current key last: itsdangerous signs with the last and reads with any.
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        kept = self._kept
        if kept is None or kept[0] != keys:
            serializer = _Uncompressed(
                list(keys),
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
            kept = self._kept = (keys, serializer)
        return kept[1]


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
