"""Security headers on every response, and cookies that are Secure when served over HTTPS.

The pages load only their own stylesheet and script (static/), use no inline script, style or
event handler, and are never framed, so the policy can be strict: anything injected into a
page despite the escaping would not run.
"""

from flask import Flask, Response, request

#: Content-Security-Policy of every response. Images may be data: URLs (the browser's own
#: form controls); everything else comes from this site, and forms post only to it.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Links to other sites carry the origin only; pages with a personal link in their
    # address send no referrer at all (set by their blueprint, kept here).
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


_HEADERS_BY_KEY = tuple((name.lower(), name, value) for name, value in HEADERS.items())


def keep_private(response: Response) -> Response:
    """For pages that show a registrant's data or carry a secret in their address (a
    personal link, a search for a name): never sent on as a referrer, never cached."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def secure_cookies(app: Flask) -> None:
    """Resolve SESSION_COOKIE_SECURE = None ("automatic") from BASE_URL's scheme."""
    https = str(app.config.get("BASE_URL", "")).startswith("https://")
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = https


def init_app(app: Flask) -> None:
    """Add the security headers to every response; make cookies Secure in production."""
    secure_cookies(app)
    hsts_max_age = int(app.config.get("HSTS_MAX_AGE", 0))

    @app.after_request
    def security_headers(response):
        # A view may have set one of them (Referrer-Policy): it keeps its own. One pass
        # over the response's headers (each setdefault would walk them, and raise inside
        # for every header missing).
        present = {name.lower() for name, _value in response.headers}
        for key, name, value in _HEADERS_BY_KEY:
            if key not in present:
                response.headers.add(name, value)
        # Only over HTTPS (behind a proxy: with PROXY_FIX_X_FOR, X-Forwarded-Proto says so);
        # a browser ignores it on plain HTTP, and sending it there would be misleading.
        if request.is_secure and hsts_max_age:
            response.headers["Strict-Transport-Security"] = f"max-age={hsts_max_age}"
        return response
