.PHONY: all test lint format bench
all: test lint

test:
	scripts/test -q

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench:
	.venv/bin/python bench/engine.py
	.venv/bin/python bench/webhook.py
