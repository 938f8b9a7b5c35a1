"""``flask privacy …`` commands."""

from flask.cli import AppGroup

privacy_cli = AppGroup("privacy", help="Personal data: anonymise what is kept past retention.")
