VENV ?= .venv
, := ,
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test check deps lock chaos lint format docs emulator demo bench airflow dists clean

$(PY):
	python3 -m venv $(VENV)

# The development set is locked (constraints/dev.txt, `make lock` writes it from pyproject.toml's ranges).
$(STAMP): $(PY) pyproject.toml constraints/dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints/dev.txt -e '.[test,dev]'
	touch $(STAMP)

# The whole suite. As root with apt-get, the Debian packages two tests need are installed first and the
# install is announced: chromium (the browser tests drive it; never a downloaded browser) and redis-server
# (the CeleryExecutor test's broker). Elsewhere those tests are skipped, saying why.
# $(call debian,COMMAND,PACKAGE,WHAT FOR,SIZE)
define debian
	@if command -v $(1) > /dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null; then \
	  echo "make test: installing Debian's $(2) for $(3) (apt-get install --no-install-recommends $(2): $(4))"; \
	  $(APT) $(2) || (apt-get update -q && $(APT) $(2)) \
	    || echo "make test: $(2) could not be installed; $(3) will be skipped"; \
	else \
	  echo "make test: no $(1), and installing it needs root and apt-get: $(3) will be skipped"; \
	fi
endef
APT := DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
test: $(STAMP)
	$(call debian,chromium,chromium,the browser tests,about 25 packages$(,) 115 MB to download$(,) 400 MB on disk)
	$(call debian,redis-server,redis-server,the CeleryExecutor test,4 packages$(,) 1.5 MB)
	@echo "make test: the whole suite on the locked set (make check is the fast tier), then every dependency range at both ends (make deps)"
	$(PY) -m pytest --durations=10
	$(MAKE) --no-print-directory deps

# The fast tier for the edit-test loop: lint, then the client, emulator, engine and target tests and one
# dag.test() run per operator (markers in pyproject.toml); no Airflow process, no browser, no long safety
# suite. Needs no system package.
CHECK := not slow and not e2e and (not airflow or smoke)
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -m "$(CHECK)" --durations=10

# Every runtime dependency range tested at both ends, each in a fresh virtualenv: the fast tier with the
# lowest releases the ranges allow beside Airflow (uv's lowest-direct resolution), and with the newest;
# then, without Airflow (what `target-oracle-oic[emulator]` users get, FastAPI's newest minor included),
# the client, emulator, engine and target tests with the newest releases.
UV := $(VENV)/bin/uv
CORE := tests/oic tests/emulator tests/deploy tests/target tests/test_layers.py
deps: $(STAMP)
	rm -rf .venv-lowest .venv-newest .venv-standalone
	$(UV) venv -q --python $(PY) .venv-lowest
	$(UV) pip install -q --python .venv-lowest/bin/python --resolution lowest-direct -e '.[test]'
	$(PY) scripts/dependency_sets.py report .venv-lowest/bin/python
	.venv-lowest/bin/python -m pytest -q -m "$(CHECK)"
	$(UV) venv -q --python $(PY) .venv-newest
	$(UV) pip install -q --python .venv-newest/bin/python --upgrade -e '.[test]'
	$(PY) scripts/dependency_sets.py report .venv-newest/bin/python
	.venv-newest/bin/python -m pytest -q -m "$(CHECK)"
	$(UV) venv -q --python $(PY) .venv-standalone
	$(PY) scripts/dependency_sets.py standalone > .venv-standalone/requirements.txt
	$(UV) pip install -q --python .venv-standalone/bin/python --upgrade -r .venv-standalone/requirements.txt
	$(UV) pip install -q --python .venv-standalone/bin/python --no-deps -e .
	$(PY) scripts/dependency_sets.py report .venv-standalone/bin/python
	.venv-standalone/bin/python -m pytest -q -m "not slow and not e2e" $(CORE)

# The development set, locked: resolved again from pyproject.toml's ranges (newest releases within them).
lock: $(STAMP)
	$(UV) pip compile -q pyproject.toml --extra test --extra dev -o constraints/dev.txt --no-header --annotation-style line

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

# Every performance figure beside its goal; about ten minutes.
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
	$(PY) benchmarks/estate_page.py
	$(PY) benchmarks/scale.py
	$(PY) benchmarks/fleet.py
	$(PY) benchmarks/object_state.py

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
