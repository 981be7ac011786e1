# drkit.microsoft: `make demo` shows it working, `make test` runs the whole suite.
# Both start from a fresh Debian 12 / Python 3.11 machine and install what they need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= $(CURDIR)/.venv
BIN := $(VENV)/bin
LAB := $(CURDIR)/.lab
COLLECTIONS := $(CURDIR)/.cache/collections
BUILD := $(CURDIR)/.cache/build
INSTALLED := $(CURDIR)/.cache/installed
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_FORCE_COLOR ?= 0
export PATH := $(BIN):$(PATH)

.PHONY: help setup system-packages venv collection-path collection-dependencies lab-install lab-start lab-stop \
        sanity units integration lint molecule build test demo bench clean

help:
	@echo "make demo   - set up, start the lab, back up a VM's disks and preview a restore"
	@echo "make test   - sanity, unit, lint, build/install, integration and molecule tests"
	@echo "make bench  - benchmarks against the lab (bench/README.md)"
	@echo "make lab-start / lab-stop - the local stand-ins for the vendor services"

setup: system-packages venv collection-path collection-dependencies lab-install

system-packages:
	tests/tools/system-packages.sh

# Reinstalled only when a requirements file changes.
venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt tests/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -r tests/requirements.txt
	touch $@

# The working tree, seen by Ansible and Python as the collection drkit.microsoft.
collection-path:
	mkdir -p $(COLLECTIONS)/ansible_collections/drkit
	ln -sfn ../../../.. $(COLLECTIONS)/ansible_collections/drkit/microsoft

# The collections galaxy.yml depends on, beside the working tree; refreshed when a pin changes.
collection-dependencies: $(COLLECTIONS)/.dependencies
$(COLLECTIONS)/.dependencies: galaxy.yml tests/requirements-collections.txt $(VENV)/.installed
	VENV_BIN=$(BIN) tests/tools/collection-dependencies.sh $(COLLECTIONS)
	touch $@

lab-install: venv
	$(BIN)/python tests/lab/labctl.py install

lab-start: lab-install
	$(BIN)/python tests/lab/labctl.py start --state-dir $(LAB)

lab-stop:
	test ! -x $(BIN)/python || $(BIN)/python tests/lab/labctl.py stop --state-dir $(LAB)

sanity: setup
	VENV_BIN=$(BIN) tests/tools/sanity.sh

units: setup
	cd $(COLLECTIONS)/ansible_collections/drkit/microsoft && \
	  PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

integration: setup
	cd $(COLLECTIONS)/ansible_collections/drkit/microsoft && \
	  PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q -p no:cacheprovider tests/integration

lint: setup
	$(BIN)/ansible-lint --offline --profile production roles playbooks extensions
	cd $(COLLECTIONS)/ansible_collections/drkit/microsoft && \
	  $(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs=all --disallow-unknown-collection-refs .

molecule: setup
	tests/tools/molecule.sh

# Build the tarball users get, install it into an empty path and use it from there: its docs,
# its execution environment's build context and its docs site (.cache/docs-site/html) are made from that install.
build: setup
	rm -rf $(BUILD) $(INSTALLED)
	$(BIN)/ansible-galaxy collection build --output-path $(BUILD) .
	VENV_BIN=$(BIN) tests/tools/collection-dependencies.sh $(INSTALLED)
	ANSIBLE_COLLECTIONS_PATH=$(INSTALLED) \
	  $(BIN)/ansible-galaxy collection install --offline -p $(INSTALLED) $(BUILD)/drkit-microsoft-*.tar.gz
	tests/tools/check-installed.sh $(INSTALLED)
	VENV_BIN=$(BIN) tests/tools/ee-context.sh $(INSTALLED)
	VENV_BIN=$(BIN) tests/tools/docs-site.sh $(INSTALLED)

test: setup sanity units lint build integration molecule

# Measurements (ratios and counts), not part of `make test`; see bench/README.md.
bench: setup
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python bench/blob_copy.py
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python bench/azure_protection.py
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python bench/mabs_protection.py
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python bench/fleet_check_mode.py

demo: lab-start
	tests/tools/demo.sh $(LAB)/inventory.yml

clean: lab-stop
	rm -rf $(VENV) $(LAB) .cache
