.PHONY: all test test-fast lint format bench
all: test lint

# Every test, the browser ones included (scripts/test installs what they need).
test:
	scripts/test -q

# No browser and no server processes: about half a minute.
test-fast:
	.venv/bin/python -m pytest -q -m "not browser and not slow"

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench:
	.venv/bin/python bench/engine.py
	.venv/bin/python bench/webhook.py
