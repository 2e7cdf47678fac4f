# fugitive-alerts: `make demo` to see it work, `make test` to check it. See README.md.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help bootstrap test lint fuzz demo stop clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

bootstrap:  ## install what is missing: apt packages, .venv, the compiled matching core, Kafka jars, Prism (idempotent)
	@scripts/bootstrap

test: bootstrap lint  ## lint, type-check, then run every test (starts and stops Kafka, an SMTP server and the Twilio mock)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: bootstrap  ## ruff (broad selection, see pyproject.toml) and mypy --strict on the packages
	$(BIN)/ruff check .
	$(BIN)/mypy

fuzz: bootstrap  ## fuzz the whole path (3 event types, ingest, dead letters, SMS/email rendering, importers): CASES=100000, prints coverage
	$(BIN)/python -m fugitive_alerts.fuzz --cases $${CASES:-100000}

demo: bootstrap  ## run the whole stack with sample data and leave it running
	$(BIN)/fugitive-alerts demo

stop:  ## stop what `make demo` left running
	@if [ -x $(BIN)/fugitive-alerts ]; then $(BIN)/fugitive-alerts demo --stop; else echo "nothing to stop"; fi

clean: stop  ## stop the demo and remove local state (var/) and build/test caches
	rm -rf var build dist *.egg-info .pytest_cache .hypothesis .mypy_cache .ruff_cache matching/core-rs/target
	find . -path ./$(VENV) -prune -o -path ./tools/twilio-mock/node_modules -prune -o \
		-name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean  ## also remove .venv and tools/twilio-mock/node_modules (the Kafka jar cache stays)
	rm -rf $(VENV) tools/twilio-mock/node_modules
