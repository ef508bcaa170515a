"""The conversation's routes besides answers: small talk, intents, and not understanding.

- **Small talk** (``bot.text.smalltalk``): a whole message of salam, thanks, ok, emoji … at a
  question gets a short courtesy (or none) and the question again, and is no failed try; at
  a yes/no question or one with choices the answer is tried first ("জি", "ok" are yes).
  After a flow it gets a short answer. Small talk with more words ("ধন্যবাদ, দাম কত?") lets
  the intents try the other words.
- **Intents**: every intent whose words a message has is found. An intent that acts (a
  handoff, opt-out, goto, language or stage move) ends the turn alone: a high-priority one
  (complaint, angry) first, else the first in the book's order. Otherwise every matching
  answer is said, in one message, then the pending question. The framework adds the
  ``angry`` and ``order`` built-ins when the owner did not list them.
- **Order** ("জামদানিটাই নেব", "order korbo", "I want to order"): the book's order flow, a
  choice the message names taken as its answer (``take_named``); a person when the book has
  no order flow (``acts.order_flow``). An answer to the waiting question wins ("শাড়ি নেব"
  at "কোন ধরনের পোশাক খুঁজছেন?"; "নেব" at a yes/no question is yes); a new customer gets
  the welcome; "নেব না", "পরে নেব" after a flow get a short "all right", no apology.
- **Not understood**: the first time an apology, the second a different one that offers a
  person, the third a handoff naming the messages. Counted in the conversation's ``state``
  and reset by any message that is understood (``decide`` does that).
"""

from __future__ import annotations

from bot.book import builtins
from bot.book.types import FlowBook, Intent, Step
from bot.conversation import acts, choices, runner
from bot.conversation.turn import Action, Ask, Handoff, Move, Say, Turn
from bot.i18n import N_
from bot.i18n import gettext as _
from bot.text import norm, smalltalk
from bot.text.payment import parse_payment_ref

# Before a handoff because the bot could not follow (a miss or a question, too often).
SORRY_HANDOFF = N_(
    "Sorry that I couldn't understand you. A team member will read your messages and reply here."
)
ASKED_REF = "asked_ref"  # turn.state: an answer just asked for a payment reference
# Words in an answer that asks for one ("…শেষের ৪টি সংখ্যা এখানে লিখে দিন").
_ASKS_REF = ("শেষের", "শেষ ৪", "last 4", "last digits", "transaction", "ট্রানজেকশন", "trxid")
# An order turned down ("নেব না", "পরে নেব") after a flow: understood, no apology.
DECLINED = N_("All right 😊 Write to us whenever you need anything.")
MISSES = "misses"  # turn.state: not-understood messages in a row
MISSED = "missed"  # turn.state: their texts, for the handoff's reason
# Small talk that deserves its courtesy before an answer to the rest of the message.
_COURTESY = ("salam", "greeting")

# The handoff reason after three messages the bot did not understand (staff read it in
# words: bot.staff.wording), followed by the messages themselves: «…» / «…»
NOT_UNDERSTOOD = "not understood three times: "


def _acts(it: Intent) -> bool:
    return bool(it.do or it.goto or it.stage)


def _small_text(book: FlowBook, turn: Turn, kind: str, *, asking: bool) -> str | None:
    """The owner's ``use: thanks``/``use: greeting`` text, else Barta's own."""
    use = {"thanks": "thanks", "greeting": "greeting"}.get(kind)
    owner = next((i for i in book.intents if use and i.use == use and i.say), None)
    if owner is not None and owner.say is not None and not asking:
        return runner.render(book, turn, owner.say)
    text = smalltalk.reply(kind, turn.language, asking=asking)
    if text is None and not asking:
        return _(turn.language, "Anything else I can help you with? 😊")
    return text


def small_talk(inc: acts.Incoming, out: list[Action]) -> bool:
    """Salam, thanks, ok, emoji …: a courtesy and the question again, never a failed try."""
    if not inc.tokens:
        return False
    st = smalltalk.small_talk(inc.text)
    if st is None:
        return False
    book, turn, step = inc.book, inc.turn, inc.step
    if not st.whole:  # the intents try the rest; the small talk is answered if nothing else is
        inc.small = st.kind
        inc.tokens = norm.tokens(st.rest_text)
        return False
    if step is not None:
        if (step.type == "yes_no" or step.choices) and runner.answer(
            book, turn, step, inc.text, None
        ):
            acts.carry_on(book, turn, step, out)
            return True
        text = _small_text(book, turn, st.kind, asking=True)
        if text:
            out.append(Say(text=text))
        acts.repeat_question(book, turn, out)
        return True
    if inc.new:
        acts.start_new(book, turn, out)  # the welcome greets
        return True
    text = _small_text(book, turn, st.kind, asking=False)
    if text:
        out.append(Say(text=text))
    return True


def no_words(inc: acts.Incoming, out: list[Action]) -> None:
    """A like, a sticker or emoji alone: the question again, or a short answer after a flow."""
    book, turn = inc.book, inc.turn
    kind = smalltalk.classify(inc.text) if inc.text else "ack"
    if kind is None:  # an angry or sad face: not small talk
        if inc.step is not None:
            acts.repeat_question(book, turn, out)
        return
    if inc.step is not None:
        text = _small_text(book, turn, kind, asking=True)
        if text:
            out.append(Say(text=text))
        acts.repeat_question(book, turn, out)
        return
    text = _small_text(book, turn, kind, asking=False)
    if text:
        out.append(Say(text=text))


def intents(inc: acts.Incoming, out: list[Action]) -> bool:
    """Every intent the message matches: one that acts alone, or all the answers."""
    book, turn = inc.book, inc.turn
    found = [
        it
        for it, matcher in zip(acts.all_intents(book), acts.matchers(book), strict=True)
        if matcher.matches_tokens(inc.tokens)
    ]
    order = next((it for it in found if it.use == builtins.ORDER.name), None)
    step = inc.step
    if order is not None and step is not None and step.type == "yes_no" and len(found) == 1:
        if not _declined(inc, order) and runner.answer(book, turn, step, "yes", None):
            acts.carry_on(book, turn, step, out)  # "নেব" at "শাড়িটা নেবেন?": yes
            return True
    if order is not None and (inc.new or not _wants_order(inc, order)):
        found.remove(order)  # any other intent speaks ("hi, দাম কত? নেব": the price)
        if not found and inc.new and not _declined(inc, order):
            # First words "I'd like to buy something": the welcome is the shop's way in (as
            # its ice breaker); what they named answers its question ("জামদানি নেব").
            acts.start_new(book, turn, out)
            take_named(book, turn, inc.tokens, out)
            return True
        if not found and inc.step is None and not inc.new and _declined(inc, order):
            # "নেব না", "পরে নেব": understood, and no reason to apologise
            out.append(Say(text=_(turn.language, DECLINED)))
            return True
    if not found:
        return False
    if len(found) > 1:
        found = _widest(inc.book, found, inc.tokens)
    acting = [it for it in found if _acts(it)]
    if inc.small in _COURTESY:
        courtesy = smalltalk.reply(inc.small, turn.language, asking=True)
        if courtesy:
            out.append(Say(text=courtesy))
    if acting:
        it = next((i for i in acting if i.priority == "high"), acting[0])
        if inc.new and it.do is None and it.goto is None and it.say is not None:
            _welcome_with(inc, [it], out)
            return True
        run_intent(book, turn, it, out, before=None if inc.new else inc.before, text=inc.text)
        return True
    answers = [it for it in found if it.say is not None]
    if len(answers) > 1:  # in the order the customer asked them
        answers = _widest(book, answers, inc.tokens, by_place=True)
    if inc.new:
        _welcome_with(inc, answers, out)
        return True
    taken = False  # a free-text question lets the intents speak: anything is its answer
    if step is not None and (step.choices or step.type != "text"):
        taken = runner.answer(book, turn, step, inc.text, None)
    # "মিরপুরে ডেলিভারি দিবেন" at the delivery question: the answer, without the FAQ's text
    if taken and step is not None:
        answers = [it for it in answers if not _about(book, it, step, inc.tokens)]
    said: set[str] = set()
    for it in answers:
        text = runner.render(book, turn, it.say) if it.say is not None else ""
        if text and text not in said:
            said.add(text)
            out.append(Say(text=text))
            if any(w in text.lower() for w in _ASKS_REF):
                turn.state[ASKED_REF] = True
    if taken and step is not None:
        acts.carry_on(book, turn, step, out)
    else:
        acts.repeat_question(book, turn, out)
    return True


def _wants_order(inc: acts.Incoming, it: Intent) -> bool:
    """The order words say the customer wants to order now: not declined (``_declined``)
    and no answer to the waiting question ("শাড়ি নেব" at "কোন ধরনের পোশাক খুঁজছেন?",
    "ঢাকায় নেব" at the delivery one: the answer wins)."""
    if _declined(inc, it):
        return False
    step = inc.step
    return step is None or (
        runner.read_answer(inc.book, inc.turn, step, inc.text, None) is runner.NOTHING
    )


def _declined(inc: acts.Incoming, it: Intent) -> bool:
    """Order words turned down: "নেব না", "nibo na", "I don't want to order", "পরে নেব",
    or another's ("কত নিবে?": what it costs)."""
    toks = inc.tokens
    keys = [choices.key_of(t) for t in toks]
    if not _LATER.isdisjoint(keys):
        return True
    spots = _covered(_matcher(inc.book, it), toks)
    if not spots or all(toks[i] in builtins.ORDER_NOT_MINE for i in spots):
        return True
    first, last = min(spots), max(spots)
    return not (
        _NOT_AFTER.isdisjoint(keys[last + 1 : last + 3])
        and _NOT_BEFORE.isdisjoint(keys[max(0, first - 3) : first])
    )


def _keys(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(choices.key_of(w) for w in words)


_LATER = _keys(builtins.ORDER_LATER)
_NOT_AFTER = _keys(builtins.ORDER_NOT_AFTER)
_NOT_BEFORE = _keys(builtins.ORDER_NOT_BEFORE)


def _matcher(book: FlowBook, it: Intent) -> norm.Matcher:
    return acts.matchers(book)[[id(i) for i in acts.all_intents(book)].index(id(it))]


def take_named(book: FlowBook, turn: Turn, toks: list[str], out: list[Action]) -> None:
    """The order flow just asked a question the message already answers by name
    ("জামদানিটাই নেব": the product): save it and go on, without asking it."""
    for _try in range(3):  # the product, then its size ("থ্রি-পিস নেব, M সাইজ")
        step = runner.pending_step(book, turn)
        if step is None or not step.choices or not out or not isinstance(out[-1], Ask):
            return
        named = choices.named(step.choices, toks)
        if len(named) != 1:
            return
        out.pop()
        runner.save(book, turn, step, named.pop())
        acts.carry_on(book, turn, step, out)


def _about(book: FlowBook, it: Intent, step: Step, toks: list[str]) -> bool:
    """The words that matched the intent are words of the question itself: "মিরপুরে ডেলিভারি
    দিবেন" answers "ডেলিভারি কোথায় নেবেন?" and its delivery FAQ text would repeat the flow.
    ("৩০০০ টাকা, দাম কত?" at "বাজেট কত টাকা?" still gets the price list: দাম is not asked.)"""
    mine = _covered(_matcher(book, it), toks)
    asked = {t for text in (step.text or {}).values() for t in norm.tokens(text)}
    return bool(mine) and all(toks[i] in asked for i in mine)


def _covered(matcher: norm.Matcher, toks: list[str]) -> frozenset[int]:
    """The positions of the words a matcher's shortest phrases take in a message."""
    out: set[int] = set()
    for i in range(len(toks)):
        for n in range(1, min(_LONGEST, len(toks) - i) + 1):
            if matcher.matches_tokens(toks[i : i + n]):
                if not matcher.matches_tokens(toks[i + 1 : i + n]):  # a phrase starts at i
                    out.update(range(i, i + n))
                break
    return frozenset(out)


_LONGEST = 6  # words in the longest phrase worth looking for


def _widest(
    book: FlowBook, found: list[Intent], toks: list[str], *, by_place: bool = False
) -> list[Intent]:
    """Drop an intent whose words are all part of another's phrase: "ক্যাশ অন ডেলিভারি"
    is the cod question, not the delivery one too; "dam kom hobe" is bargaining, not the
    price list. Only looked at when several intents match (rare: cheap enough).
    ``by_place``: in the order the message says them, else in the book's."""
    index = {id(it): n for n, it in enumerate(acts.all_intents(book))}
    cover = [_covered(acts.matchers(book)[index[id(it)]], toks) for it in found]
    kept = [
        (min(mine, default=0), n, it)
        for n, (it, mine) in enumerate(zip(found, cover, strict=True))
        if not any(mine < c for c in cover)
    ]
    return [it for _, _, it in sorted(kept, key=lambda k: k[:2] if by_place else k[1:2])]


def _welcome_with(inc: acts.Incoming, its: list[Intent], out: list[Action]) -> None:
    """First words are a question: welcome them, answer, then ask ours."""
    book, turn = inc.book, inc.turn
    for it in its:
        _move(turn, it, out)
    acts.start_new(book, turn, out)
    at = next((i for i, a in enumerate(out) if isinstance(a, Ask)), len(out))
    for it in reversed(its):
        if it.say is not None:
            out.insert(at, Say(text=runner.render(book, turn, it.say)))


def _move(turn: Turn, it: Intent, out: list[Action]) -> None:
    """An intent's stage move, only when it is legal from here (never forced)."""
    if it.stage and turn.stage != it.stage and turn.can_move(turn.stage, it.stage):
        out.append(Move(it.stage, cause=f"intent {it.id}"))


def run_intent(
    book: FlowBook,
    turn: Turn,
    it: Intent,
    out: list[Action],
    before: str | None = None,
    text: str = "",
) -> None:
    """``decide.run_intent`` with what built-ins add: a stage move, a payment reference."""
    _move(turn, it, out)
    if it.capture == "payment_ref" and text:
        ref = parse_payment_ref(text)
        if ref is not None:
            turn.answers["payment_ref"] = ref.value
    if it.use == builtins.ORDER.name and it.goto:
        if turn.flow == it.goto and runner.pending_step(book, turn) is not None:
            acts.repeat_question(book, turn, out)  # ordering already: its question again
            return
        turn.retries = 0  # a new question: the last one's failed tries do not carry over
        acts.run_intent(book, turn, it, out, before=before)
        take_named(book, turn, norm.tokens(text) if text else [], out)
        return
    acts.run_intent(book, turn, it, out, before=before)


def not_understood(inc: acts.Incoming, out: list[Action]) -> bool:
    """Nothing else fits: small talk gets its answer, a bare payment reference goes to staff,
    else an apology — a different one the second time, a person the third.

    A payment reference alone: a transaction id any time; bare digits only right after an
    answer that asked for them (the owner's payment text)."""
    book, turn, lang = inc.book, inc.turn, inc.turn.language
    if inc.small is not None and inc.small != "ack":  # "ok" beside unknown words says little
        text = _small_text(book, turn, inc.small, asking=False)
        if text:
            out.append(Say(text=text))
        return True
    paid = next((i for i in acts.all_intents(book) if i.capture == "payment_ref"), None)
    if paid is not None and inc.text and len(inc.tokens) <= 3:
        # A bare "৪৫৬৭" is last digits only right after an answer that asked for them.
        ref = parse_payment_ref(inc.text, expecting=inc.asked_ref)
        if ref is not None:
            run_intent(book, turn, paid, out, text=inc.text)
            turn.answers["payment_ref"] = ref.value
            return True
    misses = int(turn.state.get(MISSES) or 0) + 1
    missed = [*list(turn.state.get(MISSED) or [])[-2:], inc.text[:80]]
    if misses >= 3:
        turn.state.pop(MISSES, None)
        turn.state.pop(MISSED, None)
        out.append(Say(text=_(lang, SORRY_HANDOFF)))
        shown = " / ".join(f"«{m}»" for m in missed if m)
        out.append(Handoff(text="", reason=f"{NOT_UNDERSTOOD}{shown}"))
        return True
    turn.state[MISSES] = misses
    turn.state[MISSED] = missed
    if misses == 1:
        msg = _(
            lang,
            "Sorry, I didn't quite understand. Could you say it another way? If you'd like to talk to a person, just say so.",
        )
    else:  # never the same apology twice in a row
        msg = _(
            lang,
            'Sorry, I still couldn\'t follow. Write "human" and a team member will talk to you, or try other words.',
        )
    out.append(Say(text=msg))
    return True


def understood(turn: Turn) -> None:
    """Any message that was understood starts the not-understood count again."""
    turn.state.pop(MISSES, None)
    turn.state.pop(MISSED, None)
