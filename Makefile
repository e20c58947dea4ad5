VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test chaos lint format docs emulator demo bench clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

# The long variants of the safety suites: 30 fault-injection seeds.
chaos: $(STAMP)
	CHAOS_SEEDS=30 $(PY) -m pytest tests/target/test_chaos.py tests/target/test_crash.py

docs: $(STAMP)
	$(PY) scripts/settings_reference.py

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
	$(PY) benchmarks/request_counts.py

demo: $(STAMP)
	VENV=$(VENV) bash scripts/demo.sh

emulator: $(STAMP)
	$(VENV)/bin/oic-emulator

clean:
	rm -rf $(VENV) build *.egg-info
