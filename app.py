"""WSGI entry point: what `flask --app app` and `gunicorn app:app` load."""

from eventsreg import create_app

app = create_app()
