# Smart Seoul Data Lab. On a fresh clone, `make test` and `make book` are all anyone needs:
# each target first makes sure .venv matches pyproject.toml + constraints.txt, and skips the
# install when it already does.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCK_HASH := $(shell cat pyproject.toml constraints.txt 2>/dev/null | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(LOCK_HASH)
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
ASSIGNMENT ?=
# `make book LANGS=all` (or LANGS=ru,ar) also builds the translated books into _build/html/<lang>/
LANGS ?=
# `make bundle BUNDLE_PLATFORMS=current BUNDLE_PYTHONS=current`: wheels for this machine only
BUNDLE_PLATFORMS ?= default
BUNDLE_PYTHONS ?= 3.11,3.12
export PYTHONHASHSEED := 0

.PHONY: help venv lint test test-fast book pdf bundle lab hub hub-proxy axe hub-stop data doctor release lock bench clean \
        grade-intake grade-autograde grade-feedback grade-export grade-report grade-status

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

venv: $(STAMP) ## create or refresh .venv from the lock (no-op when current)

$(STAMP): pyproject.toml constraints.txt
	@if [ ! -x $(PY) ]; then echo ">> creating $(VENV)"; $(PYTHON) -m venv $(VENV); fi
	@echo ">> installing the pinned environment into $(VENV) (constraints.txt)"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test,dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)
	@echo ">> $(VENV) is current"

lint: venv ## ruff (lint and format) and mypy: the same checks as .pre-commit-config.yaml
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: venv hub-proxy axe lint ## run every test (what CI runs)
	$(VENV)/bin/smartseoul data ensure
	$(PY) -m pytest -n $(WORKERS) --dist loadgroup

test-fast: venv ## the quick tests only (no notebooks, nbgrader or browser)
	$(PY) -m pytest -m "not slow and not book and not browser"

book: venv ## build and execute the whole book (LANGS=all or LANGS=ru,ar: translations too); prints where the HTML is
	$(VENV)/bin/smartseoul data ensure
	$(VENV)/bin/smartseoul book build --langs "$(LANGS)"

pdf: book ## the book, then one PDF per module printed by Debian's Chromium (_build/pdf/), linked from each module page
	$(VENV)/bin/smartseoul book pdf

bundle: venv ## one zip for a USB stick: the built book, notebooks, datasets, wheels for Linux/Windows/macOS, installers
	$(VENV)/bin/smartseoul data ensure
	$(VENV)/bin/smartseoul bundle --platforms "$(BUNDLE_PLATFORMS)" --pythons "$(BUNDLE_PYTHONS)"

lab: venv ## JupyterLab at the course root, with nbgrader configured for grading/
	$(VENV)/bin/smartseoul data ensure
	$(VENV)/bin/smartseoul lab

# JupyterHub's proxy from the npm registry, pinned by package-lock.json, into the environment.
HUB_PROXY := $(VENV)/share/smartseoul-hub-proxy
HUB_PROXY_LOCK := grading/jupyterhub/local/package-lock.json
$(HUB_PROXY)/.installed: grading/jupyterhub/local/package.json $(HUB_PROXY_LOCK) | venv
	@command -v npm >/dev/null || { echo ">> npm is missing: apt-get install nodejs npm"; exit 1; }
	@mkdir -p $(HUB_PROXY)
	cp grading/jupyterhub/local/package.json $(HUB_PROXY_LOCK) $(HUB_PROXY)/
	cd $(HUB_PROXY) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

hub-proxy: $(HUB_PROXY)/.installed ## install configurable-http-proxy (npm, pinned) for the hub

# axe-core from the npm registry, pinned by package-lock.json, for the accessibility tests
# (tests/a11y): Playwright injects its axe.min.js into each page, so nothing loads at run time.
AXE := $(VENV)/share/smartseoul-axe
AXE_LOCK := tests/a11y/package-lock.json
$(AXE)/.installed: tests/a11y/package.json $(AXE_LOCK) | venv
	@command -v npm >/dev/null || { echo ">> npm is missing: apt-get install nodejs npm"; exit 1; }
	@mkdir -p $(AXE)
	cp tests/a11y/package.json $(AXE_LOCK) $(AXE)/
	cd $(AXE) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

axe: $(AXE)/.installed ## install axe-core (npm, pinned) for the accessibility tests

hub: venv hub-proxy ## start the course's JupyterHub on 127.0.0.1 (as root); prints its URL
	$(VENV)/bin/smartseoul data ensure
	$(VENV)/bin/smartseoul hub start

hub-stop: venv ## stop the hub started by `make hub`
	$(VENV)/bin/smartseoul hub stop

data: venv ## regenerate every dataset deterministically (overwrites datasets/)
	$(VENV)/bin/smartseoul data generate --force

doctor: venv ## check the installation and say what to fix
	$(VENV)/bin/smartseoul doctor

release: venv ## generate student versions of every assignment with nbgrader
	$(VENV)/bin/smartseoul grade release --all

grade-intake: venv ## make grade-intake ASSIGNMENT=m0 SRC=submissions.zip ROSTER=roster.csv
	$(VENV)/bin/smartseoul grade intake $(ASSIGNMENT) $(SRC) --roster $(ROSTER)

grade-autograde: venv ## make grade-autograde ASSIGNMENT=m0 [WORKERS=2]
	$(VENV)/bin/smartseoul grade autograde $(ASSIGNMENT) --workers $(WORKERS)

grade-feedback: venv ## make grade-feedback ASSIGNMENT=m0
	$(VENV)/bin/smartseoul grade feedback $(ASSIGNMENT)

grade-export: venv ## make grade-export ASSIGNMENT=m0
	$(VENV)/bin/smartseoul grade export $(ASSIGNMENT)

grade-report: venv ## make grade-report ASSIGNMENT=m0
	$(VENV)/bin/smartseoul grade report $(ASSIGNMENT)

grade-status: venv ## make grade-status ASSIGNMENT=m0
	$(VENV)/bin/smartseoul grade status $(ASSIGNMENT)

bench: venv ## run the benchmarks (not part of make test)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lock: ## refresh constraints.txt from the ranges in pyproject.toml (needs the package registry)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[test,dev]'
	{ echo "# Exact versions for every install path (make, Binder, JupyterHub, CI)."; \
	  echo "# Refresh with 'make lock' (see README, 'Refreshing the pinned environment')."; \
	  .lock-venv/bin/pip freeze --all --exclude-editable | grep -v '^smartseoul\|^pip=='; } > constraints.txt
	.lock-venv/bin/smartseoul book binder
	rm -rf .lock-venv
	@echo ">> constraints.txt and binder/requirements.txt refreshed: run 'make test' before committing them"

clean: ## remove build output (keeps .venv and datasets)
	rm -rf _build .pytest_cache
