# Wirehouse: `make run` and `make test` are all the set-up a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SEEDS ?= seeds
WAREHOUSE ?= warehouse/wirehouse.duckdb
export GX_ANALYTICS_ENABLED := false
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test chromium bench bench-scale evaluate train-attributions lock clean help

help:
	@echo "make run        create .venv, install pinned dependencies, load $(SEEDS)/ into $(WAREHOUSE)"
	@echo "make test       run the test suite (installs first if needed)"
	@echo "make bench      throughput, stage, incremental and load benchmarks -> bench/results.json"
	@echo "make evaluate   score quotes and attributions (PolNeAR dev), the annotators' own agreement (PolNeAR train), entities (IE-ER) and page extraction"
	@echo "make train-attributions  retrain the attribution model on PolNeAR train (about 13 minutes)"
	@echo "make lock       re-pin requirements.lock from the current .venv"

$(STAMP): requirements.lock pyproject.toml expectations/web_assets.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m wirehouse.expectations.web_assets fetch $(VENV)/share/wirehouse/web-assets
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/wirehouse run --seeds $(SEEDS) --warehouse $(WAREHOUSE)

test: $(STAMP) chromium
	$(BIN)/python -m pytest

# Headless Chromium renders Data Docs and run reports in the tests (Debian package).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian package chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale

evaluate: $(STAMP)
	$(BIN)/wirehouse evaluate quotes --polnear ../shared/corpora/polnear/data/dev
	$(BIN)/wirehouse evaluate attributions --polnear ../shared/corpora/polnear/data/dev
	$(BIN)/wirehouse evaluate agreement --polnear ../shared/corpora/polnear/data/train
	$(BIN)/wirehouse evaluate entities --ieer ../shared/corpora/ieer/ner_gold_ieer.jsonl
	$(BIN)/wirehouse evaluate extraction --benchmark ../shared/corpora/article-html

# The attribution model's weights (transforms/models/attribution_model.json) from PolNeAR train.
train-attributions: $(STAMP)
	$(BIN)/python -m pip install --quiet -r training/requirements.lock
	$(BIN)/python -m training.attributions --final

lock: $(STAMP)
	{ echo "# Exact versions of every package Wirehouse runs and tests with (pip freeze of a working .venv)."; \
	  echo "# Regenerate with \`make lock\` after changing pyproject.toml dependencies."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^wirehouse'; } > requirements.lock

clean:
	rm -rf $(VENV) warehouse/*.duckdb warehouse/*.duckdb.wal warehouse/*.duckdb.tmp warehouse/*.lock warehouse/data_docs warehouse/reports
