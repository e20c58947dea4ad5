"""`make airflow`: the emulator and a real local Airflow 3 running the example DAGs, until Ctrl-C.

Airflow runs as its separate components (api-server, scheduler, dag-processor, triggerer) with the
LocalExecutor and SQLite in `.airflow/` (or `--home`), the DAGs folder is `example_dags/`, and it gets
the connections the examples use (`oracle_oic_default` on the emulator, `oracle_oic_source` on a second
emulator playing the dev OIC with an OIC 3 project to promote, `erp_api`), the pool `oracle_oic` (one
slot: one promotion per OIC at a time) and simulated traffic for the canary demo.
Tests start the same thing with `LocalAirflow` and stop it when done.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
READY = re.compile(r"listening on (http://\S+)")
ERP_SECRET = "erp-demo-secret"
POOL = "oracle_oic"
HUB_CODES = ("ORD_IN", "ORD_OUT", "ORD_SYNC")
# The dev OIC of `oic3_project_promotion`: project ORDERS-HUB, release 2 live.
SOURCE_SEED = {
    "projects": [
        {
            "id": "ORDERS-HUB",
            "name": "Orders hub",
            "connections": [
                {
                    "id": "REST_ERP",
                    "securityPolicy": "BASIC_AUTH",
                    "status": "CONFIGURED",
                    "connectionProperties": {"connectionUrl": "https://erp-dev.example.com/api"},
                    "securityProperties": {"username": "oic-dev", "password": "dev-only"},
                }
            ],
            "integrations": [
                {
                    "code": code,
                    "version": version,
                    "connections": ["REST_ERP"],
                    "status": "ACTIVATED" if version == "01.01.0000" else "CONFIGURED",
                }
                for code in HUB_CODES
                for version in ("01.00.0000", "01.01.0000")
            ],
            "deployments": [
                {
                    "code": f"REL_{n}",
                    "name": f"Release {n}",
                    "integrations": [{"code": code, "version": version} for code in HUB_CODES],
                }
                for n, version in enumerate(("01.00.0000", "01.01.0000"), start=1)
            ],
        }
    ]
}


def worker_hostname() -> str:
    """The hostname a Celery worker's tasks report: its name, so a test can tell which worker ran a try."""
    return os.environ.get("OIC_WORKER_NAME") or socket.getfqdn()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalAirflow:
    """A local Airflow deployment and the emulator it deploys to; `start()`, then `stop()`."""

    home: Path
    dags: Path = REPO / "example_dags"
    port: int = field(default_factory=free_port)
    activation_delay: float = 3.0
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    emulator_url: str = ""
    source_url: str = ""
    # "CeleryExecutor": `workers` Celery workers, each with its own HOME and TMPDIR (as separate machines
    # would have), on the Redis at `broker_url`; `settings` are further Airflow environment variables.
    executor: str = "LocalExecutor"
    workers: int = 0
    broker_url: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: list[TextIO] = field(default_factory=list)
    _traffic: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def environ(self) -> dict[str, str]:
        """The environment every Airflow command of this deployment runs with."""
        return {
            **os.environ,
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": self.executor,
            "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+sqlite:///{self.home / 'celery-results.db'}",
            "AIRFLOW__CORE__PARALLELISM": "8",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.home / 'airflow.db'}",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.home / "passwords.json"),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__API_AUTH__JWT_SECRET": self._jwt_secret(),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            **self.settings,
        }

    def _jwt_secret(self) -> str:
        path = self.home / "jwt_secret"
        # 64 bytes of key: PyJWT warns in every task log about an HMAC key below that for HS512.
        if not path.exists() or len(path.read_text()) < 86:
            path.write_text(secrets.token_urlsafe(64))
        return path.read_text()

    def airflow(self, *args: str) -> str:
        """Run one `airflow` CLI command of this deployment; its stdout."""
        done = subprocess.run(
            [str(BIN / "airflow"), *args], env=self.environ, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args[:2])} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def dag_ids(self) -> list[str]:
        """Every DAG the DAGs folder defines, as Airflow parses it."""
        out = self.airflow("dags", "list", "--local", "--output", "json")
        # Airflow may print a warning line (graphviz) before the JSON.
        listed = next((json.loads(line) for line in out.splitlines() if line.startswith("[")), [])
        return sorted(d["dag_id"] for d in listed)

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "passwords.json").write_text(json.dumps({"admin": self.password}))
        self.emulator_url = self._start_emulator("emulator", "--activation-delay", str(self.activation_delay))
        seed = self.home / "source-seed.json"
        seed.write_text(json.dumps(SOURCE_SEED))
        self.source_url = self._start_emulator("source-emulator", "--seed", str(seed))
        self.airflow("db", "migrate")
        self._add_connections()
        # Deferred waits count: an activation waiting in the triggerer is still part of its promotion.
        self.airflow("pools", "set", POOL, "1", "One deployment per OIC at a time", "--include-deferred")
        self.airflow(
            "pools",
            "set",
            "oracle_oic_fleet",
            "4",
            "Fleet promotions: instances at a time",
            "--include-deferred",
        )
        for component in COMPONENTS:
            log = (self.home / f"{component}.log").open("w")
            self._logs.append(log)
            self.processes[component] = subprocess.Popen(
                [str(BIN / "airflow"), component],
                env=self.environ,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for n in range(1, self.workers + 1):
            self.start_worker(f"worker-{n}")
        self._wait_for_api()
        threading.Thread(target=self._pump_traffic, daemon=True).start()

    def start_worker(self, name: str) -> None:
        """A Celery worker running one task at a time, in its own HOME and TMPDIR; tasks it runs report
        `name` as their hostname (`worker_hostname`)."""
        home = self.home / name
        (home / "tmp").mkdir(parents=True, exist_ok=True)
        log = (self.home / f"{name}.log").open("w")
        self._logs.append(log)
        self.processes[name] = subprocess.Popen(
            [
                str(BIN / "airflow"),
                "celery",
                "worker",
                "--concurrency",
                "1",
                "--celery-hostname",
                f"{name}@%h",
            ],
            env={
                **self.environ,
                "HOME": str(home),
                "TMPDIR": str(home / "tmp"),
                "OIC_WORKER_NAME": name,
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(REPO / "scripts"), os.environ.get("PYTHONPATH")])
                ),
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "local_airflow.worker_hostname",
            },
            cwd=home,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        """SIGKILL a component and every process it started (a task's supervisor runs in a session of its
        own), as a machine lost would."""
        import psutil  # an Airflow dependency

        root = psutil.Process(self.processes[name].pid)
        for process in [*root.children(recursive=True), root]:
            with suppress(psutil.Error):
                process.kill()
        self.processes[name].wait(timeout=30)

    def _start_emulator(self, name: str, *options: str) -> str:
        """Start an emulator on a free port; its URL."""
        log = (self.home / f"{name}.log").open("w+")
        self._logs.append(log)
        process = subprocess.Popen(
            [str(BIN / "oic-emulator"), "--port", "0", *options],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
        assert process.stdout is not None
        match = READY.search(process.stdout.readline())
        if match is None:
            raise RuntimeError(f"the emulator did not start; see {log.name}")
        self.processes[name] = process  # type: ignore[assignment]
        return match.group(1)

    def _add_connections(self) -> None:
        def oic(url: str, description: str, instance: str) -> dict[str, str]:
            extra = {"idcs_url": f"{url}/oauth2/v1/token", "integration_instance": instance}
            return {
                "conn_type": "oracle_oic",
                "description": description,
                "host": url,
                "login": "oic-emulator-client",
                "password": "oic-emulator-secret",
                "extra": json.dumps(extra),
            }

        erp = {
            "conn_type": "http",
            "description": "ERP credentials the examples fill in",
            "password": ERP_SECRET,
        }
        # One import (overwriting what an earlier start left) instead of a CLI process per connection.
        path = self.home / "connections.json"
        path.write_text(
            json.dumps(
                {
                    "oracle_oic_default": oic(self.emulator_url, "The local OIC emulator", "local-test"),
                    "oracle_oic_source": oic(self.source_url, "The dev OIC (a second emulator)", "local-dev"),
                    "erp_api": erp,
                }
            )
        )
        path.chmod(0o600)
        self.airflow("connections", "import", "--overwrite", str(path))

    def _wait_for_api(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited; see {self.home / (name + '.log')}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/monitor/health", timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
        raise RuntimeError(f"the api-server did not answer in {timeout:.0f} s")

    def _pump_traffic(self) -> None:
        """Calls to ORDERS split by the canary's routing lookup, so the canary demo sees messages."""
        body = json.dumps(
            {
                "code": "ORDERS",
                "requests": 20,
                "routing_lookup": "ORDERS_ROUTING",
                "error_rates": {"01.00.0000": 0.01, "02.00.0000": 0.01},
            }
        ).encode()
        while not self._traffic.wait(0.5):
            request = urllib.request.Request(
                f"{self.emulator_url}/_emulator/traffic",
                data=body,
                method="POST",
                headers={"Content-Type": "application/json"},
            )
            with suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                urllib.request.urlopen(request, timeout=10).close()

    def token(self) -> str:
        """A JWT for the REST API, as the UI gets one."""
        request = urllib.request.Request(
            f"{self.url}/auth/token",
            data=json.dumps({"username": "admin", "password": self.password}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())["access_token"]

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """One REST API call (`/api/v2` + path); the decoded JSON answer."""
        request = urllib.request.Request(
            f"{self.url}/api/v2{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token or self.token()}"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def stop(self) -> None:
        self._traffic.set()
        for process in self.processes.values():
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for log in self._logs:
            log.close()


@contextmanager
def local_airflow(home: Path, **options: Any) -> Iterator[LocalAirflow]:
    """A started `LocalAirflow`, stopped on the way out."""
    deployment = LocalAirflow(home, **options)
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.stop()


def port_holder(port: int) -> str | None:
    """Who listens on 127.0.0.1:`port` (pid and command), or None when the port is free."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return None
        except OSError:
            pass
    import psutil  # an Airflow dependency

    for connection in psutil.net_connections(kind="tcp"):
        if connection.laddr and connection.laddr.port == port and connection.status == psutil.CONN_LISTEN:
            if connection.pid is None:
                break
            with suppress(psutil.Error):
                command = " ".join(psutil.Process(connection.pid).cmdline()[:4])
                return f"pid {connection.pid} ({command})"
    return "another process"


def main() -> int:
    # A shell script's background job starts with SIGINT ignored: Ctrl-C and kill -INT must stop it too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home", type=Path, default=REPO / ".airflow", help="AIRFLOW_HOME (default .airflow/)"
    )
    parser.add_argument("--port", type=int, default=8080, help="api-server port (default 8080)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    args = parser.parse_args()
    if args.fresh and args.home.exists():
        shutil.rmtree(args.home)
    holder = port_holder(args.port)
    if holder is not None:
        print(
            f"make airflow: port {args.port} is taken by {holder}; stop it (make emulator uses 8080 too) "
            "or choose another port: .venv/bin/python scripts/local_airflow.py --port 8081",
            file=sys.stderr,
        )
        return 1
    deployment = LocalAirflow(args.home, port=args.port)
    print("Starting the OIC emulator and Airflow (api-server, scheduler, dag-processor, triggerer)...")
    try:
        deployment.start()
        print(
            f"\nAirflow UI:   {deployment.url}\nLogin:        admin / {deployment.password}\n"
            f"OIC emulator: {deployment.emulator_url} (dev OIC: {deployment.source_url})\nLogs:         {args.home}/*.log\n"
            f"DAGs:         {', '.join(deployment.dag_ids())}\n"
            "Stop with Ctrl-C.",
            flush=True,
        )
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(f"make airflow: {exc}", file=sys.stderr)
        return 1
    finally:
        print("\nStopping...", flush=True)
        deployment.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
