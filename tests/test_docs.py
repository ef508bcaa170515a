"""Everything a user can name is documented: step kinds, answer types, settings, commands,
routes (README.md, CONTRIBUTING.md and docs/*.md); every command has help."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click
import pytest

from bot import config
from bot.book.steps import STEP_KINDS
from bot.book.types import Settings
from bot.cli import cli
from bot.text.validators import VALIDATORS

ROOT = Path(__file__).resolve().parents[1]


def docs() -> str:
    files = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(f.read_text("utf-8") for f in files)


def quoted(name: str) -> bool:
    """Written as code somewhere: `name`."""
    return f"`{name}`" in docs()


def commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    """(path, command) for every command and subcommand, the group itself first."""
    yield path, group
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name), command


def _route(rule: str) -> str:
    """A route with its converters left out: /api/queue/<int:handoff_id> → /api/queue/<>."""
    return re.sub(r"<[^>]*>", "<>", rule)


@pytest.mark.parametrize("kind", sorted(STEP_KINDS))
def test_every_step_kind_is_documented(kind):
    assert quoted(kind), f"step kind {kind!r} is not in the docs"


@pytest.mark.parametrize("kind", sorted(VALIDATORS))
def test_every_answer_type_is_documented(kind):
    assert quoted(kind), f"answer type {kind!r} is not in the docs"


@pytest.mark.parametrize("name", [s.name for s in config.SETTINGS])
def test_every_environment_setting_is_documented(name):
    assert quoted(name), f"setting {name} is not in the docs"


@pytest.mark.parametrize("key", [f.name for f in dataclasses.fields(Settings) if f.name != "extra"])
def test_every_flows_setting_is_documented(key):
    assert quoted(key), f"settings: key {key!r} is not in the docs"


@pytest.mark.parametrize("path", [" ".join(p) for p, _ in commands() if p])
def test_every_command_is_documented(path):
    assert f"app.py {path}" in docs(), f"`python app.py {path}` is not in the docs"


@pytest.mark.parametrize("path", [" ".join(p) or "(barta)" for p, _ in commands()])
def test_every_command_has_help(path):
    command = dict((" ".join(p) or "(barta)", c) for p, c in commands())[path]
    assert (command.help or "").strip(), f"{path} has no help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"{path} {param.opts[0]} has no help text"


def test_every_route_is_documented(make_app):
    text = _route(docs())
    missing = []
    for rule in make_app().url_map.iter_rules():
        written = re.escape(_route(rule.rule)) + r"(?![\w/<>.-])"
        if not re.search(written, text):
            missing.append(rule.rule)
    assert not missing, f"routes not in the docs: {sorted(set(missing))}"


def test_the_route_check_sees_every_blueprint(make_app):
    rules = {r.rule for r in make_app().url_map.iter_rules()}
    assert {"/webhook", "/healthz", "/simulator", "/staff/", "/api/queue"} <= rules


def _pins(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("-r")]


def test_pyproject_declares_the_pins_of_the_requirements_files():
    """README installs from requirements.txt, pip install -e . from pyproject: one set of pins."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["dependencies"] == _pins(ROOT / "requirements.txt")
    assert project["optional-dependencies"]["dev"] == _pins(ROOT / "requirements-dev.txt")
    assert project["scripts"] == {"barta": "bot.cli:main"}
