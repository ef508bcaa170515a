"""The attachments: section: what the bot says and does when a picture, a video, a voice
note, a file, a sticker, a like or a location arrives.

```yaml
attachments:
  image: {say: {bn: "ছবির জন্য ধন্যবাদ! দেখে জানাচ্ছি।", en: "Thanks! We'll look at it."}, do: handoff}
  audio: {do: handoff}
  like: {say: "👍"}
```

``do: handoff`` gives the conversation to staff when no question is waiting (while one
waits, the bot says ``say`` and asks it again); ``do: reply`` only says ``say`` (and asks
a waiting question again). A kind left out keeps Barta's default (bot.conversation.attachments).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from bot.book.context import Context
from bot.book.report import Where, pairs
from bot.book.types import AttachmentRule
from bot.messenger.policy import TEXT_LIMIT

KINDS = ("image", "video", "audio", "file", "sticker", "like", "location", "other")
ACTIONS = ("handoff", "reply")
# Barta's default action per kind: what a bot cannot look at or listen to goes to staff
DEFAULT_DO = {
    "image": "handoff",
    "video": "handoff",
    "audio": "handoff",
    "file": "handoff",
    "sticker": "reply",
    "like": "reply",
    "location": "reply",
    "other": "handoff",
}


def compile_attachments(c: Context, value: Any, where: Where) -> Mapping[str, AttachmentRule]:
    """The owner's rules by kind; problems are reported on their lines."""
    r = c.r
    section = r.map(value, where, "attachments")
    out: dict[str, AttachmentRule] = {}
    if section is not None:
        r.keys(section, KINDS, "attachments")
    for kind, item, at in pairs(section):
        if kind not in KINDS:
            continue
        m = r.map(item, at, f"attachments: {kind}")
        if m is None:
            continue
        r.keys(m, ("say", "do"), f"attachments: {kind}")
        say = None
        if "say" in m:
            say = r.text(m["say"], m.where("say"), f"attachments: {kind} say", limit=TEXT_LIMIT)
        do = DEFAULT_DO[kind]
        if "do" in m:
            do = r.choice(m["do"], m.where("do"), f"attachments: {kind} do", ACTIONS) or do
        out[kind] = AttachmentRule(kind=kind, say=say, do=do)
    return MappingProxyType(out)
