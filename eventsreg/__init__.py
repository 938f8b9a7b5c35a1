"""eventsreg: event pages, registrations and expressions of interest."""

import os
import secrets
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    config as config_module,
)
from . import (
    database,
    errors,
    logs,
    models,  # noqa: F401  (every table on the metadata)
    security,
    session_cookie,
    static_files,
    templating,
    urls,
)
from .demo import demo_cli
from .events.cli import events_cli
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .mail import delivery
from .mail.cli import mail_cli
from .organizer import bp as organizer_bp
from .organizer.cli import organizer_cli
from .organizer.export_cli import registrations_cli
from .privacy import views as privacy_views
from .privacy.cli import privacy_cli
from .registrations import cli as registrations_commands  # noqa: F401  (flask mail reminders)
from .registrations import event_changes  # noqa: F401  (registrants told of event changes)
from .registrations import views as registrations_views
from .site import event_pages, page_cache
from .site import views as site_views

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; *test_config* replaces instance and environment config."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_module.defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if url := config_module.database_url_from_env():
            app.config["SQLALCHEMY_DATABASE_URI"] = url
        app.config.from_prefixed_env("EVENTSREG")
    else:
        app.config.from_mapping(test_config)
    database.engine_defaults(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    delivery.init_app(app)

    urls.init_app(app)
    app.register_blueprint(event_pages.bp)
    app.register_blueprint(registrations_views.bp)
    app.register_blueprint(privacy_views.bp)
    app.register_blueprint(organizer_bp)
    app.register_blueprint(site_views.bp)
    errors.register(app)
    templating.register(app)
    security.init_app(app)
    session_cookie.init_app(app)
    static_files.init_app(app)
    page_cache.init_app(app)

    for group in (demo_cli, events_cli, mail_cli, organizer_cli, privacy_cli, registrations_cli):
        app.cli.add_command(group)

    logs.init_app(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        # Behind a reverse proxy: trust its X-Forwarded-* headers for the client address
        # (rate limits, logs), the scheme and the host; as many hops as configured.
        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config.get("PROXY_FIX_X_PROTO", 1),
            x_host=app.config.get("PROXY_FIX_X_HOST", 0),
        )
    return app


def _select_locale() -> str:
    """The language chosen with the switch, else Italian."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = session.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    if (arg := request.args.get("lang")) in current_app.config["LANGUAGES"]:
        return arg
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _instance_secret_key(instance_path: str) -> str:
    """Read the secret key kept in the instance folder, creating it on first run."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        # Written aside and linked into place: when several workers start at once,
        # exactly one key wins and nobody reads a half-written file.
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    with open(path, encoding="ascii") as fh:
        return fh.read().strip()
