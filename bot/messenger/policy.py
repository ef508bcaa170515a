"""Meta's rules for Messenger, in one place: the messaging windows, every text and count
limit, the payloads Barta itself sends, and which tag a staff reply needs.

Everything here is a number or a pure function (shared/messenger/README.md §3-§4, §8).
The flows compiler, the message bodies, the engine, the scheduler, the workspace and
``setup-page`` all read these names, so a change of Meta's rules is one edit.
"""

from __future__ import annotations

# --- windows (seconds after the customer's last message) -----------------------------------
WINDOW = 24 * 3600  # the standard messaging window: the bot may write
HUMAN_AGENT_WINDOW = 7 * 24 * 3600  # staff may still answer, with the HUMAN_AGENT tag
HUMAN_AGENT_TAG = "HUMAN_AGENT"
# Follow-ups stop this long before the window closes, so a slow send still lands inside it.
SCHEDULER_MARGIN = 10 * 60

# --- text limits (characters) ------------------------------------------------------------
TEXT_LIMIT = 2000  # a text message
BUTTON_TEXT_LIMIT = 640  # the text above a button template
TITLE_LIMIT = 20  # a quick reply's or a button's title
CARD_TEXT_LIMIT = 80  # a carousel card's title and subtitle
MENU_TITLE_LIMIT = 30  # a persistent menu item
GREETING_LIMIT = 160  # the greeting before the first message
PAYLOAD_LIMIT = 1000  # a postback or quick reply payload

# --- count limits -------------------------------------------------------------------------
MAX_QUICK_REPLIES = 13
MAX_BUTTONS = 3
MAX_CARDS = 10
MAX_ICE_BREAKERS = 4
MAX_MENU = 20

# --- what Barta puts in the payloads it sends (and reads back on a tap) --------------------
GET_STARTED = "GET_STARTED"
PAYLOAD_FLOW = "FLOW:"  # FLOW:<flow id>: a button that starts a flow
PAYLOAD_INTENT = "INTENT:"  # INTENT:<intent id>: a button that runs an intent
PAYLOAD_ICE = "ICE_BREAKER:"  # ICE_BREAKER:<id>: a tapped ice breaker
PAYLOAD_LANG = "LANG:"  # LANG:bn|en: the language quick replies

# The three sizes of Messenger's thumbs-up ("like") sticker.
LIKE_STICKERS = frozenset({"369239263222822", "369239343222814", "369239383222810"})


def reply_tag(last_customer_at: float | None, now: float) -> str:
    """'' inside the 24-hour window, 'HUMAN_AGENT' up to 7 days, 'closed' after."""
    if last_customer_at is None:
        return "closed"
    age = now - last_customer_at
    if age < WINDOW:
        return ""
    if age < HUMAN_AGENT_WINDOW:
        return HUMAN_AGENT_TAG
    return "closed"


def in_window(last_customer_at: float | None, now: float) -> bool:
    """Whether the bot may still write: the customer wrote within 24 hours."""
    return last_customer_at is not None and now - last_customer_at < WINDOW


# --- Instagram (shared/messenger/MORE.md §4.3), where it differs from Messenger ------------
IG_TEXT_BYTES = 1000  # a text message, in UTF-8 bytes: about 333 Bangla letters
IG_MAX_QUICK_REPLIES = 13
# Quick replies Instagram shows (Facebook-Login setup): text only; the phone and e-mail
# ones are documented for Instagram Login alone, so they are left out.
IG_QUICK_REPLY_TYPES = frozenset({"text"})
# Templates Instagram documents (generic: not on desktop; button: both setups, one 2026
# report of trouble); anything else goes as text.
IG_TEMPLATES = frozenset({"generic", "button"})

# --- comments (MORE.md §1-§4) --------------------------------------------------------------
PRIVATE_REPLY_WINDOW = 7 * 24 * 3600  # a private reply only within 7 days of the comment
COMMENT_TEXT_LIMIT = 2000  # a public comment reply we post (Instagram allows 2200)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))
