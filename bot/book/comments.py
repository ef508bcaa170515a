"""The comments: section: which comments under the Page's posts (Facebook and Instagram)
get a private message, a public reply, or are hidden (docs/flows.md "Comments").

```yaml
comments:
  - match: [price, dam, দাম, koto, inbox, ইনবক্স]   # omit to answer every comment
    posts: [all]                                    # or post ids
    skip_posts: [122145678901234567]                # the owner turned it off here
    reply: {bn: ["ইনবক্সে জানিয়েছি 😊", "ইনবক্স চেক করুন প্লিজ 🙏"], en: ["Sent you a message 😊"]}
    private: {bn: "আসসালামু আলাইকুম! …", en: "Hello! …"}
    flow: welcome                                   # runs when the customer answers
    hide_phone: true                                # hide comments that show a phone number
```

The first rule that fits a comment decides; a comment no rule fits gets nothing.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

from bot.book.context import Context
from bot.book.loader import Map, Seq
from bot.book.report import LANGUAGE_NAMES, Where, _comma_hint, each, kind_of, suggest
from bot.book.types import CommentRule
from bot.messenger.policy import COMMENT_TEXT_LIMIT, IG_TEXT_BYTES, TEXT_LIMIT, utf8_len

KEYS = ("match", "posts", "skip_posts", "channels", "reply", "private", "flow", "hide_phone")
CHANNELS = ("facebook", "instagram")
ALL = "all"
# A post id as Meta writes it (Facebook 105511223344556_122145678901234567, its story part,
# or an Instagram media id): digits, maybe two parts.
POST_ID = re.compile(r"[0-9]+(?:_[0-9]+)?")
MAX_RULES = 50


def compile_comments(c: Context, value: Any, where: Where) -> tuple[CommentRule, ...]:
    """The owner's comment rules, in order; problems are reported on their lines."""
    r = c.r
    items = r.seq(value, where, "comments")
    if items is not None and len(items) > MAX_RULES:
        r.error(where, "comments.many", count=len(items), most=MAX_RULES)
    out: list[CommentRule] = []
    for i, item, at in each(items):
        m = r.map(item, at, f"comments rule {i + 1}")
        if m is None:
            continue
        what = f"comments rule {i + 1}"
        r.keys(m, KEYS, what)
        match = _words(c, m.get("match"), m.where("match") if "match" in m else at, what)
        posts = _posts(c, m.get("posts"), m.where("posts") if "posts" in m else at, what, True)
        skip = _posts(
            c, m.get("skip_posts"), m.where("skip_posts") if "skip_posts" in m else at, what, False
        )
        channels: tuple[str, ...] = CHANNELS
        if "channels" in m:
            found = []
            seq = r.seq(m["channels"], m.where("channels"), f"{what} channels")
            for _, ch, ch_at in each(seq):
                picked = r.choice(ch, ch_at, f"{what} channels", CHANNELS)
                if picked:
                    found.append(picked)
            channels = tuple(found) or CHANNELS
        reply = _variants(c, m.get("reply"), m.where("reply"), what) if "reply" in m else {}
        private = None
        if "private" in m:
            private = r.text(m["private"], m.where("private"), f"{what} private", limit=TEXT_LIMIT)
            for lang, text in (private or {}).items():
                if "instagram" in channels and utf8_len(text) > IG_TEXT_BYTES:
                    r.error(
                        m.where("private"),
                        "comments.private_instagram",
                        lang=lang,
                        size=utf8_len(text),
                        limit=IG_TEXT_BYTES,
                    )
        flow = None
        if "flow" in m:
            flow = r.word(m["flow"], m.where("flow"), f"{what} flow")
            if flow is not None:
                c.refs.flow(flow, m.where("flow"), f"{what} flow")
                if private is None:
                    r.error(m.where("flow"), "comments.flow_needs_private")
        hide = False
        if "hide_phone" in m:
            hide = bool(r.boolean(m["hide_phone"], m.where("hide_phone"), f"{what} hide_phone"))
        if private is None and not reply and not hide and not ("private" in m or "reply" in m):
            r.error(at, "comments.nothing", n=i + 1)
            continue
        earlier = next((x for x in out if _shadows(x, match, posts, channels)), None)
        if earlier is not None:
            r.warn(at, "comments.unreachable", n=i + 1, line=earlier.line)
        out.append(
            CommentRule(
                match=match,
                posts=posts,
                skip_posts=skip,
                channels=channels,
                reply=MappingProxyType(reply),
                private=private,
                flow=flow,
                hide_phone=hide,
                file=at[0],
                line=at[1],
            )
        )
    return tuple(out)


def _shadows(
    earlier: CommentRule, match: tuple[str, ...], posts: tuple[str, ...], channels: tuple[str, ...]
) -> bool:
    """An earlier rule for every comment of (at least) the same posts takes them all."""
    return (
        not earlier.match
        and not earlier.skip_posts
        and (not earlier.posts or (bool(posts) and set(posts) <= set(earlier.posts)))
        and set(channels) <= set(earlier.channels)
    )


def _one_or_list(c: Context, value: Any, where: Where, what: str) -> list[tuple[Any, Where]] | None:
    """A single word or a list of them, each with its line; None (reported) otherwise."""
    if value is None:
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        return [(value, where)]
    if isinstance(value, Seq):
        return [(item, at) for _, item, at in each(value)]
    c.r.error(where, "seq.wrong", what=what, kind=kind_of(value))
    return None


def _words(c: Context, value: Any, where: Where, what: str) -> tuple[str, ...]:
    r = c.r
    items = _one_or_list(c, value, where, f"{what} match")
    if items is None:
        return ()
    out = []
    for word, at in items:
        w = r.word(word, at, f"{what} match")
        if w is not None:
            out.append(w.strip())
    if not out:
        r.error(where, "comments.match_empty")
    return tuple(out)


def _posts(c: Context, value: Any, where: Where, what: str, all_ok: bool) -> tuple[str, ...]:
    """Post ids; ``[all]`` (or nothing) is every post."""
    r = c.r
    items = _one_or_list(c, value, where, f"{what} posts")
    if items is None:
        return ()
    out: list[str] = []
    for item, at in items:
        text = str(item).strip() if isinstance(item, str | int) else ""
        if all_ok and text == ALL:
            return ()
        if not POST_ID.fullmatch(text):
            r.error(at, "comments.post_id", value=item)
            continue
        out.append(text)
    return tuple(out)


def _variants(c: Context, value: Any, where: Where, what: str) -> dict[str, tuple[str, ...]]:
    """Public reply texts: a text, a list of texts, or either per language."""
    r = c.r
    langs = r.languages
    if isinstance(value, str | Seq):
        texts = _list(c, value, where, f"{what} reply")
        return {langs[0]: texts} if texts else {}
    if not isinstance(value, Map):
        r.error(where, "text.wrong", what=f"{what} reply", kind=kind_of(value))
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for key, item in value.items():
        at = value.where(key)
        if key not in langs:
            r.error(
                at,
                "text.unknown_key",
                key=key,
                what=f"{what} reply",
                hint=suggest(key, langs),
                comma=_comma_hint(key, item),
            )
            continue
        texts = _list(c, item, at, f"{what} reply")
        if texts:
            out[str(key)] = texts
    for lang in langs:
        if lang not in value:
            r.error(
                where,
                "text.missing_lang",
                what=f"{what} reply",
                name=LANGUAGE_NAMES.get(lang, lang),
                lang=lang,
                langs=", ".join(langs),
            )
    return out


def _list(c: Context, value: Any, where: Where, what: str) -> tuple[str, ...]:
    r = c.r
    items = [(value, where)] if isinstance(value, str) else None
    if items is None:
        seq = r.seq(value, where, what)
        items = [(item, at) for _, item, at in each(seq)]
    out = []
    for item, at in items:
        if not isinstance(item, str) or not item.strip():
            r.error(at, "text.empty", what=what)
            continue
        if len(item) > COMMENT_TEXT_LIMIT:
            r.error(
                at,
                "text.too_long",
                what=what,
                length=len(item),
                in_lang="",
                limit=COMMENT_TEXT_LIMIT,
            )
            continue
        out.append(item)
    if not out and not items:
        r.error(where, "comments.reply_empty")
    return tuple(out)
