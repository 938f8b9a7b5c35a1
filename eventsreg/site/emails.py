"""The email that forwards a report of an accessibility barrier."""

from flask import current_app, render_template

from ..mail.models import EmailKind, OutboxEmail
from ..mail.outbox import queue_email


def queue_accessibility_report(page: str, description: str, reply_to: str) -> OutboxEmail:
    """Forward a visitor's report of an accessibility barrier to the configured contact.

    The visitor's words travel as plain text, escaped in the HTML part. The message is
    for the service's own staff, so it is written in Italian.
    """
    context = {"page": page, "description": description, "reply_to": reply_to}
    return queue_email(
        EmailKind.accessibility_report,
        to_address=current_app.config["ACCESSIBILITY_CONTACT"],
        reply_to=reply_to,
        subject="Segnalazione di accessibilità",
        text_body=render_template("emails/accessibility_report.txt", **context),
        html_body=render_template("emails/accessibility_report.html", **context),
    )
