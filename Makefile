# Two entry points, each doing all of its own set-up on a fresh machine:
#   make site   build the English and Japanese site into site/
#   make test   run pytest, ruff and mypy
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test setup system-deps bench hostile compare fuzz clean

# The runtime (Babel, click, rich: what `make site` needs), then the test and benchmark tools
# on top of it (what `make test` needs, five times the size). Either works first on a fresh
# clone; a changed pyproject.toml installs both again.
$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@# Bytecode now, so no command compiles the package at start (PYTHONDONTWRITEBYTECODE
	@# machines never keep it otherwise).
	$(PY) -m compileall -q pipeline cli.py
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

setup: $(VENV)/.installed

# GNU gettext (msgfmt, msgcat, msgmerge), Chromium and CJK fonts for the tests, from Debian.
system-deps:
	@if ! command -v msgfmt >/dev/null || ! command -v chromium >/dev/null \
	    || ! fc-list 2>/dev/null | grep -q 'Noto Sans CJK' \
	    || ! fc-list 2>/dev/null | grep -q 'Noto Color Emoji'; then \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	    gettext chromium fonts-noto-cjk fonts-noto-color-emoji fontconfig; \
	fi

site: $(VENV)/.runtime
	$(PY) cli.py extract
	$(PY) cli.py update
	$(PY) cli.py build
	$(PY) cli.py status --html site/status.html

test: setup system-deps
	$(PY) -m pytest
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/run.py

hostile: setup
	$(PY) bench/hostile.py

compare: setup
	$(PY) bench/compare.py

fuzz: setup
	HYPOTHESIS_PROFILE=long $(PY) -m pytest tests/test_fuzz.py

clean:
	rm -rf $(VENV) site .mypy_cache .ruff_cache .hypothesis
