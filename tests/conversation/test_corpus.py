"""Every case of the conversation corpus (tests/corpus/*.yaml) passes on its flows."""

from __future__ import annotations

import pytest

from tests.conftest import Customer
from tests.conversation.corpus import load_cases, play

CASES = load_cases()


@pytest.fixture
def make_customer(make_app):
    apps: dict = {}

    def make(flows, psid):
        if flows not in apps:
            apps[flows] = make_app(flows, online=False)
        return Customer(apps[flows], psid)

    return make


@pytest.mark.parametrize("case", CASES, ids=[f"{c.category}: {c.name}" for c in CASES])
def test_corpus_case(case, make_customer):
    problems = play(case, make_customer)
    assert not problems, "\n".join(problems)
