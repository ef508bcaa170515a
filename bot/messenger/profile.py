"""``python app.py setup-page``: the page's Messenger profile from flows.yaml.

Get Started (payload ``GET_STARTED``), greetings, ice breakers and the persistent menu.
Messenger's ``default`` locale carries the first of ``settings.languages`` (the shop's
default language); every other language gets its own Messenger locales: Bangla ``bn_IN``
(Meta has no ``bn_BD``, shared/messenger/README.md §7), English ``en_US`` and ``en_GB``.
Meta's limits (160 greeting characters, 4 ice breakers, 20 menu items) hold per locale.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import pick
from bot.messenger.policy import (
    GET_STARTED,
    GREETING_LIMIT,
    MAX_ICE_BREAKERS,
    MAX_MENU,
    MENU_TITLE_LIMIT,
    PAYLOAD_ICE,
)

# our language -> the Messenger locales its customers' phones report (Supported Locales)
MESSENGER_LOCALES = {"bn": ("bn_IN",), "en": ("en_US", "en_GB")}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def locales(book) -> list[tuple[str, str]]:
    """(Messenger locale, our language): ``default`` in the first of settings.languages,
    then the Messenger locales of each other language (a language without one is left to
    ``default``)."""
    first, *others = book.settings.languages
    out = [("default", first)]
    for lang in others:
        out.extend((locale, lang) for locale in MESSENGER_LOCALES.get(lang, ()))
    return out


def _text(book, value, lang: str) -> str:
    """An owner's text in ``lang``; ``{business}`` filled, Messenger's ``{{…}}`` kept."""
    s = book.settings
    text = pick(value, lang, s.languages[0])
    business = pick(s.business, lang, s.languages[0]) if s.business else ""
    return text.replace("{business}", business)


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


def build_profile(book) -> tuple[dict[str, Any], list[str]]:
    """The messenger_profile request body, and warnings about what had to be cut."""
    warnings: list[str] = []
    profile: dict[str, Any] = {"get_started": {"payload": GET_STARTED}}
    pairs = locales(book)
    for lang in book.settings.languages[1:]:
        if lang not in MESSENGER_LOCALES:
            warnings.append(f"{lang} has no Messenger locale; its customers see the default texts")
    if book.greeting:
        greeting = []
        for locale, lang in pairs:
            text = _text(book, book.greeting, lang)
            warning = f"greeting ({lang}) is cut to {GREETING_LIMIT} characters"
            if len(text) > GREETING_LIMIT and warning not in warnings:
                warnings.append(warning)
            greeting.append({"locale": locale, "text": _cut(text, GREETING_LIMIT)})
        profile["greeting"] = greeting
    ice = list(book.ice_breakers or ())
    if len(ice) > MAX_ICE_BREAKERS:
        warnings.append(f"only the first {MAX_ICE_BREAKERS} ice breakers are set")
        ice = ice[:MAX_ICE_BREAKERS]
    if ice:
        profile["ice_breakers"] = [
            {
                "locale": locale,
                "call_to_actions": [
                    {
                        "question": _text(book, _get(i, "question"), lang),
                        "payload": PAYLOAD_ICE + str(_get(i, "id")),
                    }
                    for i in ice
                ],
            }
            for locale, lang in pairs
        ]
    menu = list(book.menu or ())
    if len(menu) > MAX_MENU:
        warnings.append(f"only the first {MAX_MENU} menu items are set")
        menu = menu[:MAX_MENU]
    if menu:
        profile["persistent_menu"] = [
            {
                "locale": locale,
                "composer_input_disabled": False,
                "call_to_actions": [_menu_item(book, b, lang) for b in menu],
            }
            for locale, lang in pairs
        ]
    domains = (getattr(book.settings, "extra", None) or {}).get("whitelisted_domains")
    if domains:
        profile["whitelisted_domains"] = [str(d) for d in domains]
    return profile, warnings


def _menu_item(book, button, lang: str) -> dict[str, str]:
    title = _cut(_text(book, _get(button, "title"), lang), MENU_TITLE_LIMIT)
    url = _get(button, "url")
    if url:
        return {"type": "web_url", "title": title, "url": url}
    return {"type": "postback", "title": title, "payload": _get(button, "payload") or title}


def _summary(profile: dict[str, Any]) -> str:
    parts = []
    for key, value in profile.items():
        if key == "get_started":
            parts.append(f"get_started ({value['payload']})")
        elif key == "whitelisted_domains":
            parts.append(f"whitelisted_domains ({len(value)})")
        else:
            locales_ = ", ".join(v["locale"] for v in value)
            count = len(value[0].get("call_to_actions", ())) if value else 0
            parts.append(f"{key} ({locales_}" + (f"; {count} each)" if count else ")"))
    return "; ".join(parts)


# --- webhook fields and permissions (shared/messenger/MORE.md §1.1-§1.2, §4.1) ----------------

# What the Page is subscribed to: Messenger's fields, and ``feed`` for comments when the
# flows answer comments. Instagram's fields are chosen in the App Dashboard (object
# Instagram); its DMs and comments arrive once the linked Page installed the app.
MESSAGING_FIELDS = (
    "messages", "messaging_postbacks", "messaging_referrals", "message_echoes",
    "message_reactions", "message_reads", "message_deliveries", "messaging_handovers",
    "standby", "message_edits",
)  # fmt: skip
FEED_FIELD = "feed"

# feature -> the permissions (App Review: Advanced Access) and Page tasks it needs
PERMISSIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Messenger replies", ("pages_messaging", "pages_manage_metadata", "pages_show_list"),
     "MESSAGING task"),
    ("comment webhooks (feed)", ("pages_manage_metadata", "pages_show_list"),
     "CREATE_CONTENT, MANAGE or MODERATE task"),
    ("private replies to comments", ("pages_messaging",), "MESSAGING task"),
    ("public comment replies, hiding comments",
     ("pages_manage_engagement", "pages_read_engagement", "pages_read_user_content"),
     "MODERATE task"),
    ("Instagram DMs", ("instagram_basic", "instagram_manage_messages", "pages_manage_metadata",
                       "pages_show_list", "pages_read_engagement"), "the IG account linked to the Page"),
    ("Instagram comments and private replies", ("instagram_manage_comments",
     "pages_read_engagement", "pages_messaging"), "Advanced Access; Human Agent feature"),
)  # fmt: skip


def subscribed_fields(book) -> str:
    """The comma-separated fields for ``POST /me/subscribed_apps``."""
    fields = list(MESSAGING_FIELDS)
    if getattr(book, "comments", ()):
        fields.append(FEED_FIELD)
    return ",".join(fields)


def permissions_text(book) -> list[str]:
    """One line per feature: what it needs, for the operator (README's go-live steps)."""
    comments = bool(getattr(book, "comments", ()))
    lines = []
    for feature, perms, task in PERMISSIONS:
        used = comments or not ("comment" in feature or "hiding" in feature)
        mark = "" if used else " (not used: flows.yaml has no comments:)"
        lines.append(f"  {feature}: {', '.join(perms)}; {task}{mark}")
    return lines
