"""Delivery: the one place that talks to the mail server (through flask-mail)."""

import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa
from flask import Flask, current_app, g
from flask_mail import Mail, Message

from ..dbtypes import utcnow
from ..extensions import db
from .models import OutboxEmail, OutboxStatus
from .outbox import UnwritableDraft, write
from .sealing import SealBroken, reveal, unseal

mail = Mail()


@dataclass(frozen=True)
class InlineImage:
    """An image made at delivery from a message's sealed token (a QR code holding a
    personal link, say): it cannot be stored beforehand, since only the token's seal is."""

    filename: str
    make: Callable[[str], bytes]


#: Content-ID → the image a message's HTML body may refer to as ``cid:<Content-ID>``. The
#: layers that write such bodies register their images here (the check-in QR code).
INLINE_IMAGES: dict[str, InlineImage] = {}


def register_inline_image(content_id: str, filename: str, make: Callable[[str], bytes]) -> None:
    """Attach ``make(token)`` as *filename* to messages whose HTML shows ``cid:content_id``."""
    INLINE_IMAGES[content_id] = InlineImage(filename, make)


#: A claim not renewed for this long belongs to a worker that died: another takes it over.
#: A live worker renews the claim on each message just before sending it, and waits at
#: most MAIL_TIMEOUT_SECONDS (20) for the server, so it never lets its claim grow this old.
STALE_CLAIM = timedelta(minutes=1)


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    logged: list[int] = field(default_factory=list)


def init_app(app: Flask) -> None:
    """Bind flask-mail and deliver what a request queued once its response has gone."""
    mail.init_app(app)

    @app.after_request
    def deliver_after_response(response):
        if g.pop("outbox_queued", False) and app.config["MAIL_DELIVER_AFTER_REQUEST"]:
            response.call_on_close(partial(_deliver_in_background_context, app))
        return response


def _deliver_in_background_context(app: Flask) -> None:
    with app.app_context():
        try:
            deliver_pending()
        except Exception:  # the response is gone: log, the CLI worker will retry
            app.logger.exception("delivery after the response failed")
            db.session.rollback()


def mail_server_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base… capped at MAIL_RETRY_MAX_SECONDS."""
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    cap = current_app.config["MAIL_RETRY_MAX_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def deliver_pending(
    now: datetime | None = None,
    limit: int = 100,
    *,
    include_waiting: bool = False,
    reclaim: bool = False,
) -> DeliveryReport:
    """Send what is due; with no mail server configured, write it to the log instead.

    :param include_waiting: also send messages still waiting out their retry delay
        (an operator's "try now"; automatic delivery respects the backoff).
    :param reclaim: also take over messages other workers claimed less than a minute ago
        (the operator knows those workers are gone).
    """
    if not mail_server_configured():
        return _log_pending(now or utcnow(), limit)
    token = secrets.token_hex(16)
    claimed = _claim(now or utcnow(), limit, token, include_waiting, reclaim)
    return send_claimed(claimed, token, now)


def send_claimed(
    claimed: list[OutboxEmail], token: str, now: datetime | None = None
) -> DeliveryReport:
    """Send the messages this worker (*token*) claimed, each only if the claim is still its
    own: renewed just before sending, so that no other worker takes it over meanwhile; a
    message another worker took over is left to that worker, never sent twice."""
    report = DeliveryReport()
    if not claimed:
        return report

    def clock() -> datetime:
        return now or utcnow()

    try:
        connection = mail.connect()
        connection.__enter__()
        if connection.host is not None and connection.host.sock is not None:
            connection.host.sock.settimeout(current_app.config["MAIL_TIMEOUT_SECONDS"])
    except (OSError, smtplib.SMTPException) as error:
        for email in claimed:
            if _renew(email, token, clock()):
                _record_failure(email, error, clock(), report)
        db.session.commit()
        return report
    try:
        for email in claimed:
            if not _renew(email, token, clock()):
                continue
            try:
                connection.send(build_message(email))
            except (OSError, smtplib.SMTPException, SealBroken, UnwritableDraft) as error:
                _record_failure(email, error, clock(), report)
            else:
                _record_success(email, clock(), report)
            # One commit per message: a crash later never causes a resend of this one.
            db.session.commit()
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            pass
    return report


def _claim(
    now: datetime,
    limit: int,
    token: str,
    include_waiting: bool = False,
    reclaim: bool = False,
) -> list[OutboxEmail]:
    """Mark due messages as being sent by the worker *token* and return them.

    On PostgreSQL, SKIP LOCKED lets several workers claim disjoint rows at once. SQLite
    serialises writers, so one worker at a time claims there.
    """
    ready = sa.true() if include_waiting else OutboxEmail.next_attempt_at <= now
    abandoned = (
        sa.true() if reclaim else sa.or_(
            OutboxEmail.claimed_at.is_(None), OutboxEmail.claimed_at < now - STALE_CLAIM
        )
    )  # fmt: skip
    due = sa.or_(
        sa.and_(OutboxEmail.status == OutboxStatus.queued, ready),
        sa.and_(OutboxEmail.status == OutboxStatus.sending, abandoned),
    )
    rows = list(
        db.session.scalars(
            sa.select(OutboxEmail)
            .where(due)
            .order_by(OutboxEmail.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for email in rows:
        email.status = OutboxStatus.sending
        email.claimed_at = now
        email.claim_token = token
    db.session.commit()
    return rows


def _renew(email: OutboxEmail, token: str, now: datetime) -> bool:
    """Renew this worker's claim on *email* and commit; False if it is no longer its own
    (the commit expires *email*: it is read afresh when next used)."""
    renewed = db.session.execute(
        sa.update(OutboxEmail)
        .where(
            OutboxEmail.id == email.id,
            OutboxEmail.claim_token == token,
            OutboxEmail.status == OutboxStatus.sending,
        )
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(renewed)


def _record_success(email: OutboxEmail, now: datetime, report: DeliveryReport) -> None:
    email.status = OutboxStatus.sent
    email.sent_at = now
    email.attempts += 1
    email.last_error = ""
    # The token has reached its owner: nothing keeps it any longer.
    email.secret = None
    report.sent.append(email.id)


def _record_failure(
    email: OutboxEmail, error: Exception, now: datetime, report: DeliveryReport
) -> None:
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    email.claimed_at = None
    email.claim_token = None
    if email.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        email.status = OutboxStatus.failed
        report.failed.append(email.id)
        current_app.logger.error("email %s failed for good: %s", email.id, email.last_error)
    else:
        email.status = OutboxStatus.queued
        email.next_attempt_at = now + retry_delay(email.attempts)
        report.retried.append(email.id)
        current_app.logger.warning(
            "email %s not sent (attempt %s): %s", email.id, email.attempts, email.last_error
        )


def _log_pending(now: datetime, limit: int) -> DeliveryReport:
    report = DeliveryReport()
    rows = db.session.scalars(
        sa.select(OutboxEmail)
        .where(OutboxEmail.status == OutboxStatus.queued, OutboxEmail.logged_at.is_(None))
        .order_by(OutboxEmail.id)
        .limit(limit)
    )
    for email in rows:
        try:
            write(email)
        except UnwritableDraft as error:
            current_app.logger.error("email %s kept in the outbox, unwritten: %s", email.id, error)
            email.logged_at = now
            continue
        current_app.logger.info(
            "No mail server configured: email %s kept in the outbox.\nTo: %s\nSubject: %s\n\n%s",
            email.id,
            email.to_address,
            email.subject,
            _revealed_or_note(email),
        )
        email.logged_at = now
        report.logged.append(email.id)
    db.session.commit()
    return report


def _revealed_or_note(email: OutboxEmail) -> str:
    try:
        return reveal(email.text_body, email.secret)
    except SealBroken as error:
        return f"{email.text_body}\n[{error}]"


def build_message(email: OutboxEmail) -> Message:
    """The MIME message for an outbox row: text and HTML, and the invite when there is one
    (written first from the row's draft, if it has one).

    :raises UnwritableDraft: see :func:`.outbox.write`.
    """
    write(email)
    message = Message(
        subject=email.subject,
        recipients=[(email.to_name, email.to_address) if email.to_name else email.to_address],
        body=reveal(email.text_body, email.secret),
        html=reveal(email.html_body, email.secret),
        sender=current_app.config.get("MAIL_DEFAULT_SENDER"),
        reply_to=email.reply_to or None,
    )
    message.msgId = email.message_id
    for content_id, image in INLINE_IMAGES.items():
        if email.secret and f"cid:{content_id}" in email.html_body:
            message.attach(
                image.filename,
                "image/png",
                image.make(unseal(email.secret)),
                "inline",
                headers={"Content-ID": f"<{content_id}>"},
            )
    if email.ics:
        # Gmail and Outlook read the invite from a text/calendar alternative whose MIME
        # method matches the METHOD inside; the .ics attachment serves other clients.
        message.alts["calendar; method=" + email.ics_method] = email.ics
        message.attach(
            "invito.ics",
            f"application/ics; method={email.ics_method}",
            email.ics.encode("utf-8"),
        )
    return message


def retry(email: OutboxEmail, now: datetime | None = None) -> None:
    """Queue a failed message again, from a clean slate."""
    email.status = OutboxStatus.queued
    email.attempts = 0
    email.next_attempt_at = now or utcnow()
    email.claimed_at = None
    email.claim_token = None
    db.session.commit()
