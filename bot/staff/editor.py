"""``/staff/flows``: the owners' editor of the flows files, in the workspace.

Every check runs on a copy: the book's files are copied into a temporary folder, the draft
replaces one of them, and the copy is compiled (``check``) — the live files are never
touched until a publish. A publish is gated by ``check`` and the golden tests, keeps the
version it replaces under ``instance/flows-history/`` (with the time and who), writes the
file atomically (a temporary file in the same folder, fsync, ``os.replace``) and reloads
the running bot. A rollback is a publish of a kept version, gated the same way.

"Try it" keeps the draft under ``instance/drafts/<id>/`` and opens the simulator on it
(``/simulator?draft=<id>``): that simulator session's engine uses the draft book; no real
customer ever meets it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, jsonify, render_template, request, url_for

from bot import config as settings
from bot.book.compiler import load_book_files
from bot.conversation import golden
from bot.errors import InvalidInput
from bot.staff.auth import json_error, owner_required, runtime, session_staff
from bot.staff.views import bp

MAX_DRAFT = 500_000  # characters: far more than any flows file
HISTORY_SHOWN = 50
# Kept versions beyond this many, oldest first, are deleted at the next publish: a shop that
# publishes ten times a day keeps about a month, and the folder never grows without end.
HISTORY_KEPT = 300
DRAFTS_KEPT = 20
_ID = re.compile(r"^[0-9a-f]{6,32}$")
_HID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$")
_PUBLISHING = threading.Lock()  # one publish at a time: check, keep, write, reload


# --- where things are ------------------------------------------------------------------------


def _main() -> str:
    return os.path.abspath(str(current_app.config["BOT_FLOWS"]))


def _base() -> str:
    """The main file's folder: file names are shown and posted relative to it."""
    return os.path.dirname(_main())


def _instance() -> str:
    return settings.data_folder(current_app.config, current_app.instance_path)


def history_dir() -> str:
    return os.path.join(_instance(), "flows-history")


def drafts_dir() -> str:
    return os.path.join(_instance(), "drafts")


def flow_files() -> list[str]:
    """The main file and every file it includes under its folder, relative, main first."""
    base = _base()
    files = list(getattr(runtime().book, "files", ()) or ()) or [_main()]
    out: list[str] = []
    for f in files:
        rel = os.path.relpath(os.path.abspath(f), base)
        if rel.startswith("..") or os.path.isabs(rel) or rel in out:
            continue
        out.append(rel)
    main = os.path.relpath(_main(), base)
    if main not in out:
        out.insert(0, main)
    return out


def _file_arg(name: Any) -> str:
    """A posted file name, one of the flows files (never a path of the caller's making)."""
    if not isinstance(name, str) or name not in flow_files():
        raise InvalidInput("not one of the flows files", field="file", problem="unknown")
    return name


def _text_arg(data: dict) -> str:
    text = data.get("text")
    if not isinstance(text, str):
        raise InvalidInput("send the file's text", field="text", problem="type")
    if len(text) > MAX_DRAFT:
        raise InvalidInput("the text is too long", field="text", problem="too_long")
    return text.replace("\r\n", "\n")


def _json() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("send a JSON object: {file, text}", field="body", problem="type")
    return data


# --- checking a draft on a copy --------------------------------------------------------------


def _copy_into(folder: str, replaced: dict[str, str]) -> str:
    """Copy the flows files into ``folder`` (relative paths kept), with ``replaced`` texts
    written instead; the copy's main file."""
    base = _base()
    names = flow_files()
    # the other YAML files beside them too: a draft may include one not read before
    for sub in sorted({os.path.dirname(rel) for rel in names}):
        for name in sorted(os.listdir(os.path.join(base, sub) or base)):
            rel = os.path.join(sub, name) if sub else name
            if name.endswith((".yaml", ".yml")) and rel not in names:
                if os.path.isfile(os.path.join(base, rel)):
                    names.append(rel)
    for rel in names:
        dest = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if rel in replaced:
            with open(dest, "w", encoding="utf-8") as fh:
                fh.write(replaced[rel])
        else:
            shutil.copyfile(os.path.join(base, rel), dest)
    return os.path.join(folder, os.path.relpath(_main(), base))


def _problems(problems: Iterable[Any], folder: str) -> list[dict[str, Any]]:
    out = []
    for p in problems:
        file = str(p.file)
        if os.path.isabs(file) and file.startswith(folder + os.sep):
            file = os.path.relpath(file, folder)
        else:
            file = file.replace(folder + os.sep, "")
        message = str(p.message).replace(folder + os.sep, "")
        out.append({"file": file, "line": p.line, "message": message, "severity": p.severity})
    return out


def check_draft(rel: str, text: str, *, tests: bool) -> tuple[Any, list[dict[str, Any]]]:
    """Compile the book with ``rel`` replaced by ``text`` (and play its tests when asked):
    (the book or None, the problems with their file relative to the main folder)."""
    with tempfile.TemporaryDirectory(prefix="barta-draft-") as folder:
        folder = os.path.realpath(folder)
        main = _copy_into(folder, {rel: text})
        if tests:
            book, problems, _files = golden.check(main)
        else:
            book, problems, _files = load_book_files(main)
        return book, _problems(problems, folder)


# --- publishing -----------------------------------------------------------------------------


def _atomic_write(path: str, text: str) -> None:
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".barta-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # the rename itself survives a power cut once the folder is synced
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _keep(rel: str, old: str, who: str, note: str) -> str:
    """Keep the version a publish replaces; its history id."""
    now = time.time()
    hid = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    folder = os.path.join(history_dir(), hid)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "text"), "w", encoding="utf-8") as fh:
        fh.write(old)
    meta = {"file": rel, "at": now, "by": who, "note": note}
    with open(os.path.join(folder, "meta.json"), "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False)
    _prune()
    return hid


def _prune(keep: int | None = None) -> None:
    """Delete the oldest kept versions beyond ``HISTORY_KEPT`` (ids sort by time)."""
    keep = HISTORY_KEPT if keep is None else keep
    folder = history_dir()
    kept = sorted(h for h in os.listdir(folder) if _HID.match(h))
    for hid in kept[: max(0, len(kept) - keep)]:
        shutil.rmtree(os.path.join(folder, hid), ignore_errors=True)


def history() -> list[dict[str, Any]]:
    """Kept versions, newest first: {id, file, at, by, note}."""
    folder = history_dir()
    if not os.path.isdir(folder):
        return []
    out = []
    for hid in sorted(os.listdir(folder), reverse=True):
        if not _HID.match(hid):
            continue
        try:
            with open(os.path.join(folder, hid, "meta.json"), encoding="utf-8") as fh:
                meta = json.load(fh)
        except (OSError, ValueError):
            continue
        meta["id"] = hid
        meta["when"] = datetime.fromtimestamp(float(meta.get("at", 0)), UTC).strftime(
            "%Y-%m-%d %H:%M UTC"
        )
        out.append(meta)
        if len(out) >= HISTORY_SHOWN:
            break
    return out


def publish(rel: str, text: str, who: str, note: str = "publish") -> tuple[bool, list, str | None]:
    """Check the book with ``text`` as ``rel`` and its tests; if all pass keep the old version,
    write the new one atomically and reload. (published, problems, history id)."""
    with _PUBLISHING:
        return _publish(rel, text, who, note)


def _publish(rel: str, text: str, who: str, note: str) -> tuple[bool, list, str | None]:
    book, problems = check_draft(rel, text, tests=True)
    if book is None:
        return False, problems, None
    path = os.path.join(_base(), rel)
    with open(path, encoding="utf-8") as fh:
        old = fh.read()
    hid = _keep(rel, old, who, note)
    _atomic_write(path, text)
    rt = runtime()
    if rt.flows_path:
        rt.reload()
    return True, problems, hid


# --- the routes ------------------------------------------------------------------------------


def _json_errors(view: Callable) -> Callable:
    """The editor's script reads JSON: a bad request is answered in JSON, not a redirect."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except InvalidInput as e:
            return jsonify(e.body()), e.status

    return wrapped


@bp.get("/flows")
@owner_required
def flows_page():
    files = flow_files()
    rel = request.args.get("file") or files[0]
    if rel not in files:
        abort(404)
    with open(os.path.join(_base(), rel), encoding="utf-8") as fh:
        text = fh.read()
    return render_template("staff/editor.html", files=files, file=rel, text=text, history=history())


@bp.post("/flows/check")
@owner_required
@_json_errors
def flows_check():
    """Check a draft of one file: {file, text, tests?} → {ok, problems: [{file, line, …}]}."""
    data = _json()
    rel, text = _file_arg(data.get("file")), _text_arg(data)
    book, problems = check_draft(rel, text, tests=bool(data.get("tests")))
    return {"ok": book is not None, "problems": problems}


@bp.post("/flows/draft")
@owner_required
@_json_errors
def flows_draft():
    """Keep a draft for "try it": {file, text} → {id, url} (the simulator on the draft)."""
    data = _json()
    rel, text = _file_arg(data.get("file")), _text_arg(data)
    book, problems = check_draft(rel, text, tests=False)
    if book is None:
        return {"ok": False, "problems": problems}, 422
    did = secrets.token_hex(8)
    folder = os.path.join(drafts_dir(), did)
    os.makedirs(folder, exist_ok=True)
    _copy_into(folder, {rel: text})
    _prune_drafts()
    return {"ok": True, "id": did, "url": url_for("simulator.page", draft=did)}


@bp.post("/flows/publish")
@owner_required
@_json_errors
def flows_publish():
    """Publish one file: {file, text}; refused (409) with the problems unless all pass."""
    data = _json()
    rel, text = _file_arg(data.get("file")), _text_arg(data)
    who = (session_staff() or {}).get("name", "?")
    ok, problems, hid = publish(rel, text, who)
    if not ok:
        return {"ok": False, "problems": problems}, 409
    return {"ok": True, "problems": problems, "history": hid}


@bp.get("/flows/history/<hid>")
@owner_required
def flows_version(hid: str):
    """One kept version: {id, file, at, by, text}."""
    meta, text = _version(hid)
    return {**meta, "id": hid, "text": text}


@bp.post("/flows/rollback/<hid>")
@owner_required
def flows_rollback(hid: str):
    """Publish a kept version again (gated like any publish)."""
    meta, text = _version(hid)
    rel = meta.get("file")
    if rel not in flow_files():
        return json_error(409, "that file is no longer one of the flows files")
    who = (session_staff() or {}).get("name", "?")
    ok, problems, new = publish(rel, text, who, note=f"rollback to {hid}")
    if not ok:
        return {"ok": False, "problems": problems}, 409
    return {"ok": True, "file": rel, "text": text, "history": new}


def _version(hid: str) -> tuple[dict, str]:
    if not _HID.match(hid):
        abort(404)
    folder = os.path.join(history_dir(), hid)
    try:
        with open(os.path.join(folder, "meta.json"), encoding="utf-8") as fh:
            meta = json.load(fh)
        with open(os.path.join(folder, "text"), encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, ValueError):
        abort(404)
    return meta, text


# --- drafts for the simulator ----------------------------------------------------------------


def _prune_drafts() -> None:
    folder = drafts_dir()
    names = sorted(
        (n for n in os.listdir(folder) if _ID.match(n)),
        key=lambda n: os.path.getmtime(os.path.join(folder, n)),
    )
    for name in names[:-DRAFTS_KEPT]:
        shutil.rmtree(os.path.join(folder, name), ignore_errors=True)


def draft_book(did: str) -> Any:
    """The book of draft ``did`` (compiled once and kept), or None."""
    if not isinstance(did, str) or not _ID.match(did):
        return None
    cache: dict[str, Any] = current_app.extensions.setdefault("barta_drafts", {})
    if did in cache:
        return cache[did]
    folder = os.path.join(drafts_dir(), did)
    main = os.path.join(folder, os.path.relpath(_main(), _base()))
    if not os.path.isfile(main):
        return None
    book, _problems, _files = load_book_files(main)
    if book is not None:
        if len(cache) >= DRAFTS_KEPT:
            cache.pop(next(iter(cache)))
        cache[did] = book
    return book
