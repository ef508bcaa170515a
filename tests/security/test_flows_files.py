"""flows.yaml from a hostile hand: an alias bomb, includes outside the flows folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from bot.book.loader import load

ROOT = Path(__file__).resolve().parents[2]

BOMB = """settings:
  business: Bomb
x:
  a: &a {say: lol}
  b: &b {if: "score > 1", then: [*a,*a,*a,*a,*a,*a,*a,*a,*a]}
  c: &c {if: "score > 1", then: [*b,*b,*b,*b,*b,*b,*b,*b,*b]}
  d: &d {if: "score > 1", then: [*c,*c,*c,*c,*c,*c,*c,*c,*c]}
  e: &e {if: "score > 1", then: [*d,*d,*d,*d,*d,*d,*d,*d,*d]}
  f: &f {if: "score > 1", then: [*e,*e,*e,*e,*e,*e,*e,*e,*e]}
  g: &g {if: "score > 1", then: [*f,*f,*f,*f,*f,*f,*f,*f,*f]}
flows:
  welcome: {start_on: [first_message], steps: [*g]}
"""


def test_the_alias_bomb_is_an_error_at_its_line_fast_and_small(tmp_path):
    path = tmp_path / "flows.yaml"
    path.write_text(BOMB, encoding="utf-8")
    assert len(BOMB) < 2000
    tracemalloc.start()
    started = time.perf_counter()
    tree, problems = load(str(path))
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert tree is None
    assert took < 2.0 and peak < 20 * 1024 * 1024
    # 9**6 `say` steps once expanded: 7 s of `check` without the bound
    assert [str(p) for p in problems] == [
        f"{path}:9: this file expands to more than 100,000 values once its *aliases are "
        "filled in; use fewer anchors and aliases"
    ]


def test_a_few_aliases_still_work(tmp_path):
    path = tmp_path / "flows.yaml"
    path.write_text("canned:\n  a: &hi {en: Hi}\n  b: *hi\n", encoding="utf-8")
    tree, problems = load(str(path))
    assert tree is not None and tree.root["canned"]["b"]["en"] == "Hi"


def _check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "check", str(path)],
        capture_output=True, text=True, timeout=30, cwd=path.parent,
    )  # fmt: skip


@pytest.mark.parametrize("target", ["../../../etc/passwd", "/etc/shadow", "/dev/zero"])
def test_include_outside_the_flows_folder_is_refused(tmp_path, target):
    main = tmp_path / "flows.yaml"
    main.write_text(f"include: ['{target}']\n", encoding="utf-8")
    tree, problems = load(str(main))
    assert [str(p) for p in problems if p.is_error] == [
        f"{main}:1: include {target}: only files inside the folder of the main flows file "
        "can be included"
    ]
    result = _check(main)
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert f"{main}:1:" in result.stdout


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    (tmp_path / "flows").mkdir()
    os.symlink("/etc/passwd", tmp_path / "flows" / "x.yaml")
    main = tmp_path / "flows.yaml"
    main.write_text("include: [flows/*.yaml]\n", encoding="utf-8")
    _, problems = load(str(main))
    assert any("only files inside" in str(p) for p in problems)


def test_a_fifo_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    main = tmp_path / "flows.yaml"
    main.write_text("include: [pipe.yaml]\n", encoding="utf-8")
    result = _check(main)  # the timeout fails the test if it hangs
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{main}:1: include pipe.yaml: not a regular file" in result.stdout


def test_files_inside_the_tree_are_still_included(tmp_path):
    (tmp_path / "flows" / "deeper").mkdir(parents=True)
    (tmp_path / "flows" / "deeper" / "c.yaml").write_text("canned:\n  x: y\n", encoding="utf-8")
    main = tmp_path / "flows.yaml"
    main.write_text("include: [flows/deeper/c.yaml]\n", encoding="utf-8")
    tree, problems = load(str(main))
    assert not [p for p in problems if p.is_error] and tree.root["canned"]["x"] == "y"
