"""Security headers on every response."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""
