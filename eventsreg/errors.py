"""Error pages: every 4xx/5xx answers with a page in the visitor's language."""

import io

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from .extensions import db
from .logs import current_request_id


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Richiesta non valida"),
            _("La richiesta non è stata compresa. Tornare indietro e riprovare."),
        ),
        403: (_("Accesso negato"), _("Non si dispone del permesso per vedere questa pagina.")),
        404: (
            _("Pagina non trovata"),
            _("La pagina che cerchi non esiste o è stata spostata."),
        ),
        405: (
            _("Operazione non consentita"),
            _("Questa operazione non è disponibile su questa pagina."),
        ),
        409: (
            _("Operazione non più possibile"),
            _("Lo stato dell'iscrizione o dell'evento è cambiato. Ricaricare la pagina."),
        ),
        413: (
            _("Dati troppo grandi"),
            _("I dati inviati superano la dimensione consentita. Accorciare i testi e riprovare."),
        ),
        429: (
            _("Troppe richieste"),
            _(
                "Sono arrivate troppe richieste in poco tempo. "
                "Attendere qualche minuto e riprovare."
            ),
        ),
        500: (
            _("Errore del servizio"),
            _("Si è verificato un errore imprevisto. Riprovare tra qualche minuto."),
        ),
    }


def _render(code: int, title: str | None = None, message: str | None = None, headers=None):
    if code >= 500:
        current_app.logger.error("error page %s shown", code)
    messages = _messages()
    fallback = messages[400] if 400 <= code < 500 else messages[500]
    default_title, default_message = messages.get(code, fallback)
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=title or default_title,
            message=message or default_message,
            request_id=current_request_id(),
        ),
        code,
        headers or {},
    )


def register(app):
    """Install the error handlers on *app*."""

    def read_chunked_body():
        # A body the server marks as terminated (sent in chunks, without Content-Length)
        # is read by werkzeug only up to the size limit and silently cut there, or a
        # parser yields an empty form. Read it here: too big is the 413 page every other
        # oversized body gets; otherwise the parsers read it as a body of known length.
        environ = request.environ
        if not environ.get("wsgi.input_terminated"):
            return
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if limit is None:
            return
        chunks, size = [], 0
        while size <= limit:
            chunk = environ["wsgi.input"].read(min(64 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge()
        environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
        environ["CONTENT_LENGTH"] = str(size)
        environ["wsgi.input_terminated"] = False

    # First of all hooks: the CSRF check reads the form too.
    app.before_request_funcs.setdefault(None, []).insert(0, read_chunked_body)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400,
            _("Sessione scaduta"),
            _(
                "Il modulo è scaduto o è stato inviato da un'altra pagina. "
                "Ricaricare la pagina e inviarlo di nuovo."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        # Keep headers the status needs, such as Allow on a 405 or Retry-After on a 429.
        kept = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return _render(error.code, headers=kept)

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        # The failed request may have left the session mid-transaction.
        db.session.rollback()
        return _render(500)

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        # The database does not answer (down, restarting, unreachable): a friendly page
        # and a status that tells proxies and monitors to retry, never a stack trace.
        app.logger.error("database unavailable: %s", error.orig or error)
        try:
            db.session.rollback()
        except OperationalError:
            pass
        return _render(
            503,
            _("Servizio momentaneamente non disponibile"),
            _("Il servizio non riesce a raggiungere i suoi dati. Riprovare tra qualche minuto."),
            headers={"Retry-After": "60"},
        )
