VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test lint format emulator demo bench clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) benchmarks/upload_memory.py
	$(PY) benchmarks/deploy_concurrency.py
	$(PY) benchmarks/provider_import.py

demo: $(STAMP)
	VENV=$(VENV) bash scripts/demo.sh

emulator: $(STAMP)
	$(VENV)/bin/oic-emulator

clean:
	rm -rf $(VENV) build *.egg-info
