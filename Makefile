# The project's two commands: `make demo` (set up and run the main job) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CHECKOV := .tools/checkov/bin/checkov
# Pinned: a new checkov release can add checks that fail a tree that passed yesterday. Bump it
# on purpose (the stamp file makes `make tools` install the new version).
CHECKOV_VERSION := 3.3.30
CHECKOV_STAMP := .tools/checkov/installed-$(CHECKOV_VERSION)

.PHONY: demo test lint unit terraform-test integration venv tools hooks clean

$(BIN)/obsctl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

venv: $(BIN)/obsctl

$(CHECKOV_STAMP):
	$(PYTHON) -m venv .tools/checkov
	.tools/checkov/bin/pip install --quiet 'checkov==$(CHECKOV_VERSION)'
	@touch $@

tools: venv $(CHECKOV_STAMP)

## demo: virtualenv, install, then bring the dev environment up on the embedded local AWS.
demo: venv
	$(BIN)/obsctl up

## test: style gates, checkov, then every test layer (terraform test, unit, integration).
test: lint
	$(BIN)/pytest -n 2 --dist loadgroup

lint: tools
	terraform fmt -check -recursive terraform examples
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(CHECKOV) --directory terraform --quiet --compact --framework terraform --skip-download

## hooks: run the lint gates on every commit (.pre-commit-config.yaml; offline, local hooks).
hooks: tools
	$(BIN)/pre-commit install

unit: venv
	$(BIN)/pytest -m "not integration"

clean:
	rm -rf $(VENV) .tools .obsctl
