# The two commands of the README: `make run` and `make test`. Both set up what they need first.
.PHONY: run test setup setup-dev index eval bench screenshots lint

run: setup
	.venv/bin/rag index
	.venv/bin/rag ui

test: setup-dev
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/python -m pytest -q
	.venv/bin/rag eval --floors evals/floors.json --out evals/out

setup:
	bash scripts/setup.sh

setup-dev:
	bash scripts/setup.sh --dev

index: setup
	.venv/bin/rag index

eval: setup
	.venv/bin/rag eval --baseline

bench: setup
	.venv/bin/python bench/run.py

screenshots: setup-dev
	.venv/bin/python scripts/screenshots.py
