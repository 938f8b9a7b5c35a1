"""Email: the outbox, message composition and delivery (the only user of flask-mail)."""
