# GNU make. `make test` is what CI runs (.ci/run); `make setup` is idempotent.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
# Reinstall the project only when its metadata changes.
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

# OCR (tesseract + Vietnamese model, poppler for PDFs, fonts for the sample
# generator), the Swift S3 test server, and docker-compose to check the
# production compose file.
DEB_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-script-viet poppler-utils \
	fonts-dejavu-core fonts-liberation2 fonts-noto-core \
	swift swift-proxy swift-account swift-container swift-object memcached \
	docker-compose chromium

# CI runs as root, developers usually not.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-packages test lint demo clean distclean bench bench-ocr bench-records bench-memory bench-robust bench-scaling bench-fonts bench-palettes

setup: system-packages $(STAMP)

system-packages:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg -s "$$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y --no-install-recommends $$missing; \
	fi

$(VPY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
	  "Python >= 3.11 needed, $(PYTHON) is " + sys.version.split()[0] + \
	  ": run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install -q -e '.[dev]'
	touch $@

lint: setup
	$(VENV)/bin/ruff check .

# pytest starts the Swift S3 server itself (tests/conftest.py). Two pytest processes, each
# with whole test files (their module fixtures are built once) and its own S3 and Prefect
# servers: much of the suite waits on subprocesses and servers, so on 2 cores this took
# the suite from 18.9 to 9.5 minutes (fresh clone; long files first, tests/conftest.py).
PYTEST_WORKERS ?= 2
test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

demo: export DIGITIZE_STORE := var/demo/store
demo: setup
	rm -rf var/demo
	mkdir -p var/demo
	$(VENV)/bin/digitize samples var/demo/inbox --records 24 --seed 7 \
	  --profile clean --profile light --capture scan
	$(VENV)/bin/digitize run var/demo/inbox
	$(VENV)/bin/digitize audit

bench: setup
	$(VPY) -m bench.run_all

bench-ocr: setup
	$(VPY) -m bench.ocr

bench-records: setup
	$(VPY) -m bench.records --records 150 --workers 2

bench-memory: setup
	$(VPY) -m bench.memory --pages 200

bench-robust: setup
	$(VPY) -m bench.robustness

bench-scaling: setup
	$(VPY) -m bench.run_all --scaling 1 2 4 8

bench-palettes: setup
	$(VPY) -m bench.palettes

# The records of the fresh set seed 21, typed in fonts the generator never uses
# (samples.render.HELD_OUT_FONTS); compare with `bench.records --records 100 --seed 21`.
bench-fonts: setup
	@$(MAKE) --no-print-directory system-packages DEB_PACKAGES="fonts-freefont-ttf fonts-dejavu-extra"
	$(VPY) -m bench.records --records 100 --seed 21 --held-out-fonts --workers 2 --reasons

clean:
	rm -rf var build bench-out .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
