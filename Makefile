# The project's two commands: `make demo` (set up and run the main job) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CHECKOV := .tools/checkov/bin/checkov

.PHONY: demo test lint unit terraform-test integration venv tools clean

$(BIN)/obsctl: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

venv: $(BIN)/obsctl

$(CHECKOV):
	$(PYTHON) -m venv .tools/checkov
	.tools/checkov/bin/pip install --quiet checkov

tools: venv $(CHECKOV)

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

unit: venv
	$(BIN)/pytest -m "not integration"

clean:
	rm -rf $(VENV) .tools .obsctl
