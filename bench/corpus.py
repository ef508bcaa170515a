"""Play the whole conversation corpus (tests/corpus/*.yaml) and print the pass rate per
category (file name) and overall. Offline: apps are built over a temporary folder, no
Graph API is called.

    .venv/bin/python bench/corpus.py            # the table
    .venv/bin/python bench/corpus.py -v         # and what went wrong in each failing case
    .venv/bin/python bench/corpus.py -k salam   # only cases whose name has "salam"
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import (  # noqa: E402
    APP_ID,
    NO_GRAPH_URL,
    SECRET,
    VERIFY_TOKEN,
    Customer,
)
from tests.conversation.corpus import load_cases, play  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="show each failure")
    ap.add_argument("-k", default="", help="only cases whose name contains this")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    from bot.app import create_app

    cases = [c for c in load_cases() if args.k.lower() in c.name.lower()]
    results: dict[str, list[bool]] = defaultdict(list)
    failures: list[tuple[str, str, list[str]]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        apps: dict[Path, object] = {}

        def make_customer(flows: Path, psid: str) -> Customer:
            if flows not in apps:
                apps[flows] = create_app(
                    {
                        "TESTING": True,
                        "BOT_DB": str(Path(tmp) / f"bot{len(apps)}.db"),
                        "BOT_FLOWS": str(flows),
                        "MESSENGER_APP_SECRET": SECRET,
                        "MESSENGER_VERIFY_TOKEN": VERIFY_TOKEN,
                        "MESSENGER_APP_ID": APP_ID,
                        "MESSENGER_PAGE_TOKEN": None,
                        "GRAPH_API_URL": NO_GRAPH_URL,
                        "SECRET_KEY": "bench-secret",
                        "WTF_CSRF_ENABLED": False,
                    }
                )
            return Customer(apps[flows], psid)

        try:
            for case in cases:
                problems = play(case, make_customer)
                results[case.category].append(not problems)
                if problems:
                    failures.append((case.category, case.name, problems))
        finally:
            for app in apps.values():
                app.extensions["barta"].shutdown()  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - started

    width = max([len(c) for c in results] + [8])
    print(f"{'category':<{width}}  passed  cases   rate")
    total = passed = 0
    for category in sorted(results):
        oks = results[category]
        total += len(oks)
        passed += sum(oks)
        print(
            f"{category:<{width}}  {sum(oks):>6}  {len(oks):>5}  {100 * sum(oks) / len(oks):5.1f}%"
        )
    if total:
        print(f"{'overall':<{width}}  {passed:>6}  {total:>5}  {100 * passed / total:5.1f}%")
    print(f"({total} cases in {elapsed:.1f} s)")
    if args.verbose:
        for category, name, problems in failures:
            print(f"\n{category}: {name}")
            for p in problems:
                print(f"  {p}")
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
