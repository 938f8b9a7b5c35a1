"""Exports of registrations (placeholder)."""
