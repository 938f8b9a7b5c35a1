"""Commands for registrations (exports)."""

from flask.cli import AppGroup

registrations_cli = AppGroup("registrations", help="Registrations of an event.")
