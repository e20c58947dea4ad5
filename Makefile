VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test chaos lint format docs emulator demo bench airflow dists clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

# The browser test drives Debian's chromium (never a downloaded browser).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

test: $(STAMP) $(CHROMIUM)
	$(PY) -m pytest

# The long variants of the safety suites: 30 fault-injection seeds.
chaos: $(STAMP)
	CHAOS_SEEDS=30 $(PY) -m pytest tests/target/test_chaos.py tests/target/test_crash.py tests/target/test_project_crash.py

docs: $(STAMP)
	$(PY) scripts/settings_reference.py
	$(PY) scripts/release_schema.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every performance figure beside its goal (issue 12); about six minutes.
bench: $(STAMP)
	$(PY) benchmarks/request_counts.py
	$(PY) benchmarks/wall_time.py
	$(PY) benchmarks/activations.py
	$(PY) benchmarks/inline_memory.py
	$(PY) benchmarks/dag_parse.py
	$(PY) benchmarks/trigger_scale.py
	$(PY) benchmarks/emulator_throughput.py
	$(PY) benchmarks/deploy_concurrency.py
	$(PY) benchmarks/upload_memory.py

# The two distributions (target-oracle-oic without Airflow, airflow-provider-oracle-oic) into dist/.
dists: $(STAMP)
	$(PY) scripts/build_dists.py

demo: $(STAMP)
	VENV=$(VENV) bash scripts/demo.sh

# The emulator and a real local Airflow (api-server, scheduler, dag-processor, triggerer) with the
# example DAGs, their connections and the oracle_oic pool; prints the UI address and login; Ctrl-C stops.
airflow: $(STAMP)
	$(PY) scripts/local_airflow.py

emulator: $(STAMP)
	$(VENV)/bin/oic-emulator

clean:
	rm -rf $(VENV) build dist *.egg-info .airflow test-artifacts
