"""Every message ``check`` shows an owner (``file:line: message``), in one table.

A message is a short id and a ``str.format`` template with named placeholders; the code
that finds a problem gives the id and the values (``Report.error(where, "key.unknown",
key=…)``), and ``message`` puts them together. Literal braces are doubled, as in an
f-string. Owners read these: plain words, the fix in the sentence, the same text in every
release unless the wording itself is being improved.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # --- files and YAML (bot.book.loader) ------------------------------------------------------
    "yaml.key": "a key must be a plain word",
    "yaml.duplicate": (
        "duplicate key {key!r} (first on line {line}); the second one would silently replace "
        "the first"
    ),
    "yaml.unclosed": (
        "YAML syntax: this {opened} is never closed (YAML noticed on line {line}: it was still "
        "looking for , or {closer})"
    ),
    "yaml.syntax": "YAML syntax: {problem}",
    "file.missing": "file not found: {path}",
    "file.not_utf8": "not UTF-8 text ({reason}); save the file as UTF-8",
    "file.unreadable": "cannot read {path}: {why}",
    "file.not_map": "the file should be a map of sections (settings:, flows: …)",
    "include.wrong": "include: should be a list of files, like [flows/*.yaml]",
    "include.item": "include: items should be file names",
    "include.no_match": "include {pattern!r} matches no file",
    "include.cycle": "include cycle: {names}",
    "include.again": "{path} is already included",
    "include.not_map": "{key}: should be a map",
    "include.twice": "{what} {name!r} is defined twice (first in {file}:{line})",
    "include.not_list": "{key}: should be a list",
    "include.main_only": "{key}: belongs in the main file; an included file may hold {allowed}",
    # --- shapes and scalars (bot.book.report) --------------------------------------------------
    "key.unknown": "unknown key {key!r} in {what}{hint}; it may have: {allowed}{comma}",
    "map.wrong": "{what} should be a map (key: value lines), not {kind}",
    "seq.wrong": "{what} should be a list (lines starting with '- '), not {kind}",
    "integer.wrong": "{what} should be a whole number, not {kind}",
    "integer.small": "{what} should be at least {minimum}, not {value}",
    "boolean.wrong": "{what} should be true or false, not {kind}",
    "word.wrong": "{what} should be a word, not {kind}",
    "word.name": (
        "{what} {value!r} should be a simple name: English letters, digits and _ "
        "(for example {fixed})"
    ),
    "url.wrong": "{what} should be a web address starting with https://, not {kind}",
    "choice.wrong": "{what} should be one of {options}, not {kind}{hint}",
    # --- texts ---------------------------------------------------------------------------------
    "text.empty": "{what} is empty",
    "text.only_bangla": (
        "{what} is only in Bangla; English-speaking customers get it as it is "
        "(write {{bn: …, en: …}})"
    ),
    "text.wrong": "{what} should be text, or {{bn: …, en: …}}, not {kind}",
    "text.other_language": (
        "a {key!r} text in {what}, but {key} is not in settings.languages: it is never shown"
    ),
    "text.unknown_key": "unknown key {key!r} in {what}{hint}{comma}",
    "text.lang_wrong": "the {key} text of {what} should be text, not {kind}",
    "text.missing_lang": (
        "{what} has no {name} text ({lang}:); settings.languages is [{langs}], "
        "so every text needs each of them"
    ),
    "text.too_long": "{what} is {length} characters{in_lang}; Messenger allows {limit}",
    "hint.comma": " (inside {{ }}, a comma starts a new key: put text that has commas in quotes)",
    "hint.did_you_mean": " (did you mean {word}?)",
    # --- settings (bot.book.readers) -----------------------------------------------------------
    "languages.wrong": "languages should be a list like [bn, en], not {kind}",
    "languages.twice": "language {lang!r} is listed twice",
    "languages.foreign": (
        "language {lang!r}{hint}: Barta speaks bn and en, so its own messages to these "
        "customers will be in English"
    ),
    "time.wrong": '{what} should be a time like "10:00" (24-hour), not {kind}',
    "days.wrong": "days should be a list like [sat, sun, mon], not {kind}",
    "days.unknown": "unknown day {day!r}{hint}; days are {days}",
    "hours.same": "open and close are the same time; leave hours out if you never close",
    "settings.business": "settings needs business: (the shop's name, used as {{business}})",
    "settings.timezone": "unknown timezone {kind}{hint} (for Bangladesh: Asia/Dhaka)",
    "settings.currency": "currency should be a three-letter code like BDT, not {kind}",
    "settings.quiet_hours": 'quiet_hours should be ["22:00", "08:00"] (from, to), not {kind}',
    "settings.name": (
        "setting {key!r} should be a simple name (English letters, digits, _) so it can be "
        "used as a {{placeholder}}"
    ),
    "settings.unknown": "unknown setting {key!r}{hint}; it is kept as a value for {{placeholders}}",
    # --- follow-ups and ice breakers (bot.book.readers) ---------------------------------------
    "followup.wrong": "a follow-up should be a map with after: and say:, not {kind}",
    "followup.no_after": (
        "a follow-up needs after: (how long after the customer's last message: 3h, 30m)"
    ),
    "followup.after_wrong": "after: should be a time like 3h, 30m, 1d or 90s, not {kind}",
    "followup.after_zero": "after: should be more than 0",
    "followup.after_window": (
        "after: {after} is 24 hours or more: Messenger lets a page write only within 24 hours "
        "of the customer's last message. The message tags that allowed later messages were "
        "withdrawn in April 2026, and HUMAN_AGENT is only for a person's own replies, so this "
        "follow-up could never be sent; use less than 24h (e.g. 20h)"
    ),
    "followup.after_margin": (
        "after: {after} is so close to Messenger's 24-hour window that it is never sent "
        "(the scheduler keeps 10 minutes spare); use 23h"
    ),
    "ice_breaker.wrong": "an ice breaker should be {{id: …, question: …}}, not {kind}",
    # --- flows, stages and the main file (bot.book.compiler) ---------------------------------
    "flow.no_steps_key": "flow {flow!r} has no steps:",
    "flow.no_steps": "flow {flow!r} has no steps",
    "flow.wrong": "flow {flow!r} should be a map with start_on: and steps:, not {kind}",
    "start_on.wrong": "start_on should be a list like [get_started, first_message], not {kind}",
    "start_on.item": "start_on items should be words, not {kind}",
    "start_on.unknown": (
        "unknown start_on {item!r}{hint}; use get_started, first_message, ice_breaker:<id>, "
        "referral:<ref> or postback:<PAYLOAD>"
    ),
    "start_on.argument": "start_on {item!r}: {word} {wrong}",
    "start_on.takes_nothing": "takes nothing after ':'",
    "start_on.needs_value": "needs a value after ':'",
    "stage.on_enter": (
        "on_enter may only say (it is sent when staff move a lead), not {kind}; to ask "
        "something, say it with a button: {{title: …, flow: <id>}}"
    ),
    "stages.empty": "stages: is empty; leave it out for the default stages",
    "flows.missing": "flows: is missing or empty; a bot needs at least one flow",
    "flows.no_welcome": (
        "no flow has start_on: [get_started, first_message], so a new customer gets no welcome"
    ),
    "followup.twice": (
        "follow-up id {id!r} is used twice (first on line {line}); give each one its own id:"
    ),
    "greeting.long": (
        "the {lang} greeting is {length} characters; Messenger shows {limit}, so it is cut"
    ),
    "ice_breakers.many": "{count} ice breakers; Messenger shows at most {most}",
    "ice_breaker.twice": "ice breaker id {id!r} is used twice",
    # --- conditions (bot.book.expr_parser); shown after "cannot read the condition …: " -----
    "expr.number": "bad number '{text}'",
    "expr.string": "unclosed string {quote}",
    "expr.name": "bad name '{text}'",
    "expr.operator": "unknown operator '{wrong}' (did you mean {hint}?)",
    "expr.bare_word": "unexpected '{word}' (put text in quotes: '{word}')",
    "expr.character": "unexpected character '{char}'",
    "expr.empty": "empty expression",
    "expr.unmatched": "unmatched '{text}'",
    "expr.unexpected": "unexpected '{text}'",
    "expr.chained": "comparisons cannot be chained; join them with 'and'",
    "expr.unclosed": "unclosed '{bracket}'",
    "expr.expected": "expected {wanted} but found '{text}'",
    "expr.early_end": "expression ends too early",
    "expr.not_text": "expected text, got {type}",
    # --- steps (bot.book.steps) ---------------------------------------------------------------
    "step.unreachable": (
        "this step is never reached: {why} on line {line} leaves the flow; move it above, "
        "or remove it"
    ),
    "step.left_by_if": "every branch of the if step",
    "step.left_by": "the {kind} step",
    "step.wrong": "a step should be a map like `say: …` or `ask: …`, not {kind}",
    "step.unknown": "unknown step kind {key!r}{hint}; a step is one of {kinds}",
    "step.two_kinds": (
        "one step cannot be both {first} and {second}: make them two steps, each starting with '- '"
    ),
    "step.reserved_id": "id {id!r} is a built-in name; choose another",
    "step.id_twice": "id {id!r} is used twice in {owner} (first on line {line})",
    "condition.wrong": '{what}: needs a condition like "budget >= 5000", not {kind}',
    "condition.syntax": "cannot read the condition {source!r}: {why} at column {column}",
    "score.wrong": "score should be a number or a list of {{if: …, add: …}} rules, not {kind}",
    "score.rule": 'a score rule should be {{if: "…", add: 10}}, not {kind}',
    "say.buttons": "buttons need a say: text above them (Messenger requires one)",
    "say.empty": "say: is empty; give it a text, an image or cards",
    "ask.type_unused": "type: is not used when the question has choices",
    "ask.no_id": (
        "give this question an id so its answer is saved by name (it is {id!r} for now, "
        "which changes when steps move)"
    ),
    "if.no_then": "an if step needs then: (and may have else:)",
    "handoff.false": "handoff: false does nothing; remove the step",
    "end.wrong": "write end: true (or just - end), not end: {kind}",
    # --- intents (bot.book.intents) -----------------------------------------------------------
    "do.goto": "do: goto needs goto: <flow id>",
    "do.language": "do: language needs language: {langs}",
    "do.forms": (
        "do: is handoff, opt_out, goto (or {{goto: <flow>}}) or language (or {{language: en}})"
    ),
    "do.many": "do: holds one action, not {count}; {forms}",
    "do.no_value": "do: {word} takes no value; write do: {word}",
    "do.unknown": "unknown action {word!r} in do:{hint}; {forms}",
    "do.twice": "{word}: is given twice, inside do: and beside it; keep one",
    "intent.wrong": "an intent should be a map with id:, match: and say: or do:, not {kind}",
    "intent.no_id": "give this intent an id (staff see it as the reason of a handoff)",
    "intent.twice": "intent id {id!r} is used twice (first on line {line})",
    "intent.no_match": "intent {name!r} matches nothing: give match: a word or a list of words",
    "intent.nothing": "intent {name!r} does nothing: give it say: or do:",
    "intent.use_unknown": "there is no built-in intent {name!r}{hint}; the built-ins: {names}",
    # --- message parts (bot.book.parts) --------------------------------------------------------
    "choices.wrong": (
        "choices should be a map of key: label lines (like saree: {{bn: শাড়ি, en: Saree}}), "
        "not {kind}"
    ),
    "choice.match_wrong": (
        "choice {key!r}: match: should be a word or a list of words "
        '(like match: [jamdani, "জামদানি"]), not {kind}'
    ),
    "choice.match_word": "choice {key!r}: match: {word!r} is not a word; write it as text",
    "choices.many": "{count} choices; Messenger shows at most {most} quick replies",
    "buttons.many": "{count} {what}; Messenger allows at most {most}",
    "button.wrong": "a button should be {{title: …, url: …}} or {{title: …, flow: …}}, not {kind}",
    "button.one": "a button needs exactly one of url:, flow:, payload: or intent:{has}",
    "button.has": " (it has {keys})",
    "payload.long": "payload is {length} characters; Messenger allows {limit}",
    "cards.many": "{count} cards; Messenger shows at most {most} in a carousel",
    "card.wrong": "a card should be a map with title:, subtitle:, image:, price:, buttons:, not {kind}",
    "card.price": "price should be a number like 4500, not {kind}",
    # --- the whole book (bot.book.checks) ------------------------------------------------------
    "ref.flow": "{what}: no flow named {target!r}{hint}",
    "ref.stage": "{what}: no stage named {target!r}{hint}; stages are {stages}",
    "ref.intent": "{what}: no intent named {target!r}{hint}",
    "condition.answers": (
        "the condition {source!r} reads answers.{rest}, but no question has that id{hint}"
    ),
    "condition.name": (
        "the condition {source!r} uses {name!r}, which is no question id, setting or built-in "
        "name{hint}; it can use question ids, score, stage, language, labels and settings"
    ),
    # the second pair is doubled twice: owners are told to write {{ or }}
    "placeholder.brace": (
        "a lone {{ or }} in the {lang} text; it is shown as written (write {{{{ or }}}} for a brace)"
    ),
    "placeholder.empty": "an empty {{}} in the {lang} text",
    "placeholder.unknown": (
        "{{{name}}} in the {lang} text is no question id or setting{hint}; customers would see it as written"
    ),
    "flow.unreachable": (
        "flow {flow!r} can never start: it has no start_on, and no goto, button, choice or "
        "intent leads to it"
    ),
    "ice_breaker.no_such": (
        "start_on ice_breaker:{trigger}, but there is no ice breaker with id {trigger!r}{hint}"
    ),
    "ice_breaker.no_flow": (
        "ice breaker {id!r} starts no flow; add ice_breaker:{id} to a flow's start_on"
    ),
    "payload.no_flow": (
        "payload {payload!r} starts no flow; add postback:{payload} to a flow's start_on, "
        "or write flow: <id> instead"
    ),
    "followup.answer": "follow-up {id!r}: answer: {key!r} is no question id{hint}",
    "intent.overlap": (
        "intent {id!r}: {word!r} is also matched by intent {earlier!r} (line {line}), "
        "which is tried first"
    ),
    # --- golden conversations (bot.book.golden) -------------------------------------------
    "tests.string": "{what} should be text, not {kind}",
    "tests.name": "a test needs a name: (what the conversation shows, in a few words)",
    "tests.twice": "test {name!r} is written twice (first on line {line})",
    "tests.lang": "lang {lang!r} is not one of the book's languages ({langs})",
    "tests.no_steps": "test {name!r} has no steps: give at least one '- customer: …'",
    "tests.step_says": "each test step needs exactly one of customer:, tap: or postback:",
    "tests.stage": "expect stage {stage!r} is not a stage; the stages are: {stages}",
    "tests.handoff": "expect handoff should be true or false, not {kind}",
    "tests.no_tap": "test {name!r}: the bot offered no button {title!r} to tap (it offered: {offered})",
    "tests.bot_missing": "test {name!r}: the bot's reply does not contain {want!r}; it said: {said}",
    "tests.bot_unwanted": "test {name!r}: the bot's reply contains {want!r}; it said: {said}",
    "tests.silent": "(nothing)",
    "tests.no_conversation": "test {name!r}: the bot never started a conversation",
    "tests.expect": "test {name!r}: {what} is {got!r}, expected {want!r}",
    # --- what customers would see (bot.book.checks, bot.book.loader) ------------------------
    "intent.twice_file": "intent id {id!r} is used twice (first in {file}:{line})",
    "text.hash_cut": (
        "the text stops at '#': YAML reads ' #{rest}' as a comment, so customers never see it; "
        "put the whole text in quotes"
    ),
    "yaml.visarga": (
        "'{key}ঃ' has a Bangla visarga (ঃ) where YAML needs an English colon: write '{key}:'"
    ),
    "yaml.missing_colon": "a ':' is missing after {key!r} (write '{key}:')",
    "condition.label": (
        "{name} is compared with the label {label!r}, but a choice saves its key: use the key "
        "{key!r}, as in {name} == '{key}'"
    ),
    "condition.curly": (
        "the condition {source!r} has curly quotes (“ ” ‘ ’): write straight quotes ' or \""
    ),
    "text.curly": (
        "the {lang} text is wrapped in curly quotes (“ ” ‘ ’), which customers would see; "
        "write straight quotes \" or ', or none"
    ),
    "flow.many_questions": (
        "flow {flow!r} asks {count} questions; good practice is at most 10 to 15 in one go "
        "(customers give up on long forms): split it, or make some optional"
    ),
    # issue 12: hostile flows files
    "yaml.too_big": "this file expands to more than {limit} values once its *aliases are "
    "filled in; use fewer anchors and aliases",
    "yaml.recursive": "an *alias used inside its own &anchor: it would never end",
    "yaml.too_deep": "the lists and maps nest too deep",
    "include.outside": "include {path}: only files inside the folder of the main flows file "
    "can be included",
    "include.not_file": "include {path}: not a regular file",
    "include.too_big": "include {path}: the file is larger than 2 MB",
    # --- comments: (bot.book.comments) ------------------------------------------------------
    "comments.many": "{count} comments rules; keep it to {most} at most (the first that fits wins)",
    "comments.post_id": (
        "{value!r} is not a post id: write the number in the post's link (like "
        "122145678901234567), or all"
    ),
    "comments.nothing": (
        "comments rule {n} does nothing: give it private:, reply: or hide_phone: true"
    ),
    "comments.match_empty": "match: needs at least one word (leave match: out to answer every comment)",
    "comments.reply_empty": "reply: needs at least one text",
    "comments.flow_needs_private": (
        "flow: runs when the customer answers the private message, but this rule sends none: "
        "add private:"
    ),
    "comments.private_instagram": (
        "the {lang} private text is {size} bytes; Instagram takes at most {limit} bytes in one "
        "message (a Bangla letter counts 3): shorten it, or add channels: [facebook]"
    ),
    "comments.unreachable": (
        "comments rule {n} never answers anything: the rule on line {line} already answers "
        "every comment of these posts"
    ),
}


# PyYAML's words for common mistakes, said the way an owner can act on them (plain text, shown
# after "YAML syntax: "; not templates).
YAML_PLAIN: tuple[tuple[str, str], ...] = (
    ("found character '\\t'", "a tab character: indent with spaces only"),
    ("found a tab character", "a tab character: indent with spaces only"),
    (
        "mapping values are not allowed",
        "a ':' where YAML does not expect one "
        "(put text that contains ': ' in quotes, or check the indentation)",
    ),
    ("expected <block end>", "this line's indentation does not line up with the lines above"),
    (
        "could not find expected ':'",
        "a line without 'key: value' inside a map (or a quote that is never closed)",
    ),
    ("found unexpected end of stream", "a quote or bracket that is never closed"),
    ("expected ',' or ']'", "a '[' list that is not closed with ']' on the same item"),
    ("expected ',' or '}'", "a '{' map that is not closed with '}'"),
    ("found undefined alias", "an *alias with no &anchor"),
    ("did not find expected key", "a line that is indented like a key but is not one"),
    (
        "did not find expected '-' indicator",
        "a list item that is not indented like the items above",
    ),
    (
        "found unknown escape character",
        "an unknown \\ escape inside double quotes (use single quotes, or write \\\\)",
    ),
)


_language = ["en"]  # check --lang bn sets it for the whole run (a command line, one thread)


def use_language(lang: str) -> None:
    """Show check's messages in ``lang`` from now on, through the gettext catalogs."""
    _language[0] = lang


def translated(text: str) -> str:
    """``text`` (a template of this module) in the language of ``use_language``."""
    if _language[0] == "en":
        return text
    from bot.i18n import catalog

    return catalog(_language[0]).gettext(text)


def message(message_id: str, /, **fields: object) -> str:
    """The owner-facing text of message ``message_id`` with ``fields`` filled in."""
    return translated(MESSAGES[message_id]).format(**fields)
