"""The workspace's language: the session's choice, else the bot's first; texts in it."""

from __future__ import annotations

from flask import current_app, g, session

from bot import i18n


def ui_lang() -> str:
    """The workspace language of this request: the session's choice, else the bot's first."""
    lang = g.get("ui_lang")
    if lang is None:
        chosen = session.get("lang")
        lang = chosen if chosen in i18n.LANGUAGES else None
        if lang is None:
            langs = current_app.config["BOOK"].settings.languages
            lang = langs[0] if langs and langs[0] in i18n.LANGUAGES else "en"
        g.ui_lang = lang
    return lang


def t(msgid: str, **values) -> str:
    """A workspace text in the request's language (``{placeholders}``)."""
    return i18n.gettext(ui_lang(), msgid, **values)


def _jinja_gettext(msgid: str) -> str:
    return i18n.catalog(ui_lang()).gettext(msgid)


def _jinja_ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.catalog(ui_lang()).ngettext(singular, plural, n)
