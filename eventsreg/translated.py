"""Texts written by organisers in Italian and, optionally, in English.

A model's Italian text is its column (``title``); other languages live in its
``translations`` JSON (``{"en": {"title": "…"}}``). Italian is the fallback wherever a
translation is missing, so a page never shows an empty title.
"""

from functools import cache

from babel import Locale
from flask import g, has_app_context
from flask_babel import get_locale

#: The source language, whose texts are the columns themselves.
SOURCE = "it"
#: Languages an organiser may translate into.
TRANSLATIONS = ("en",)


def current_locale() -> str:
    """The language being written in: the page's, or the recipient's inside force_locale."""
    locale = current_babel_locale()
    return _name(locale) if locale is not None else SOURCE


def current_babel_locale() -> Locale | None:
    """Flask-Babel's current locale (as ``get_locale``), None outside an app context."""
    if not has_app_context():
        return None
    # Flask-Babel keeps the locale it chose (or force_locale set) on its namespace in g;
    # read there first, as get_locale itself does: asked dozens of times a request (each
    # number, each choice written), get_locale's three trips through g's proxy cost more
    # than the rest. Should that namespace move in a later Flask-Babel, get_locale answers.
    return getattr(g.get("_flask_babel"), "babel_locale", None) or get_locale()


@cache
def _name(locale) -> str:
    # Babel writes a locale's name anew each time it is asked (a few calls, many times a page).
    return str(locale)


class Translated:
    """Mixin for models with a ``translations`` JSON column."""

    translations: dict

    def text(self, name: str, locale: str | None = None) -> str:
        """The text of field *name* in *locale* (the current language by default)."""
        locale = locale or current_locale()
        if locale != SOURCE:
            translated = ((self.translations or {}).get(locale) or {}).get(name)
            if translated:
                return translated
        return getattr(self, name)

    def translation(self, name: str, locale: str) -> str:
        """The text of *name* written for *locale*, or "" (no Italian fallback)."""
        return ((self.translations or {}).get(locale) or {}).get(name) or ""

    def set_translation(self, name: str, locale: str, text: str) -> None:
        """Store (or, when *text* is empty, forget) the *locale* text of *name*."""
        translations = {lang: dict(texts) for lang, texts in (self.translations or {}).items()}
        texts = translations.setdefault(locale, {})
        if text:
            texts[name] = text
        else:
            texts.pop(name, None)
        # A new dict: SQLAlchemy sees the change (a JSON column is not tracked in place).
        self.translations = {lang: texts for lang, texts in translations.items() if texts}
