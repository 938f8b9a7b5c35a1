"""Registrations: the Registration and Answer models, the form, self-service by token."""
