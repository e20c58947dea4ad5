"""A real local Airflow (api-server, scheduler, dag-processor and triggerer as separate processes;
LocalExecutor, SQLite), started once for this module as `make airflow` starts it: the example DAGs driven
through the REST API, and the `oracle_oic` connection form in a real browser (Playwright driving Debian's
chromium; screenshots in `test-artifacts/browser/`)."""

from __future__ import annotations

import base64
import itertools
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.airflow.conftest import assert_resumed_from_triggerer, task_instances, task_log

# Long or needs real processes: in make test, not in make check.
pytestmark = pytest.mark.e2e


def _runs(airflow: Any, token: str, dag_id: str) -> list[dict[str, Any]]:
    return airflow.api("GET", f"/dags/{dag_id}/dagRuns", token=token)["dag_runs"]


def _wait_for_runs(airflow: Any, dag_ids: list[str], timeout: float = 420) -> dict[str, list[dict[str, Any]]]:
    deadline = time.monotonic() + timeout
    while True:
        token = airflow.token()
        runs = {dag_id: _runs(airflow, token, dag_id) for dag_id in dag_ids}
        states = [r["state"] for rs in runs.values() for r in rs]
        if states and all(s in ("success", "failed") for s in states):
            return runs
        if time.monotonic() > deadline:
            pytest.fail(f"runs not finished after {timeout:.0f} s: {runs}")
        time.sleep(3)


@pytest.mark.timeout(900)
def test_example_dags_on_a_real_deployment(local_airflow):
    airflow = local_airflow
    token = airflow.token()
    dag_ids = ["oic_blue_green", "oic_scheduled_promotion", "oic3_project_promotion"]
    for dag_id in dag_ids:
        airflow.api("PATCH", f"/dags/{dag_id}", {"is_paused": False}, token=token)
    # Three DAGs deploying to the same OIC through the same connection, triggered together.
    for dag_id in dag_ids:
        airflow.api("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None}, token=token)
    runs = _wait_for_runs(airflow, dag_ids)
    token = airflow.token()
    instances = [
        ti
        for dag_id, dag_runs in runs.items()
        for run in dag_runs
        for ti in task_instances(airflow, token, dag_id, run["dag_run_id"])
    ]
    assert {r["state"] for rs in runs.values() for r in rs} == {"success"}, [
        (ti["dag_id"], ti["task_id"], ti["state"]) for ti in instances
    ]

    # The deferrable activation really waited in the triggerer and was resumed by it.
    deployment = next(
        ti for ti in instances if ti["dag_id"] == "oic3_project_promotion" and ti["task_id"] == "activate"
    )
    assert_resumed_from_triggerer(airflow, token, deployment, "all 3 integration(s) are ACTIVATED")

    # Clean logs: each line once, nothing at ERROR on a successful run, no secret anywhere.
    for ti in instances:
        entries = task_log(airflow, token, ti)
        lines = [(e.get("timestamp"), e.get("level"), e.get("event")) for e in entries if e.get("timestamp")]
        assert len(lines) == len(set(lines)), f"{ti['task_id']}: a line appears twice"
        assert not [e for e in entries if str(e.get("level", "")).lower() in ("error", "critical")], ti[
            "task_id"
        ]
        text = json.dumps(entries)
        for secret in airflow.secrets:
            assert secret not in text, f"{ti['task_id']}: a secret is in its log"
        warnings = [e.get("event") for e in entries if str(e.get("level", "")).lower() == "warning"]
        assert not warnings, f"{ti['dag_id']}.{ti['task_id']} logged warnings: {warnings}"

    # One promotion per OIC at a time: the tasks of the oracle_oic pool never overlap.
    pooled = sorted(
        (ti["start_date"], ti["end_date"], ti["dag_id"], ti["task_id"])
        for ti in instances
        if ti["pool"] == "oracle_oic" and ti["start_date"]
    )
    assert {p[2] for p in pooled} == set(dag_ids)
    for earlier, later in itertools.pairwise(pooled):
        assert earlier[1] <= later[0], f"{earlier} overlaps {later}"

    # Both runs' artifacts are in the one ledger of the connection.
    ledger = json.loads(airflow.airflow("variables", "get", "oracle_oic_ledger_secret__oracle_oic_default"))
    keys = json.dumps(ledger)
    assert "integrations:GREEN_ORDERS|01.00.0000" in keys
    assert "integrations:ORDERS|01.00.0000" in keys
    assert "projects:ORDERS-HUB" in keys


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
# The flags a headless chromium needs on a machine without a display or outside network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WRONG_SECRET = "wrong-secret-typed-in-the-form-5521"


@pytest.fixture
def page(local_airflow) -> Any:
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            f"no chromium at {CHROMIUM}: make test installs Debian's as root "
            "(apt-get install --no-install-recommends chromium); the browser test needs it"
        )
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(30_000)
        page.goto(f"{local_airflow.url}/")
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill(local_airflow.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/", timeout=30_000)
        try:
            yield page
        finally:
            browser.close()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _test_result(page: Any, conn_id: str, title: str) -> str:
    """Press the connection's Test button; the text of the toast titled `title` it raises."""
    page.get_by_role("row").filter(has_text=conn_id).get_by_role("button", name="Test Connection").click()
    toast = page.locator("[data-scope=toast][data-part=root]").filter(has_text=title).last
    toast.wait_for()
    return toast.inner_text()


@pytest.mark.timeout(900)
def test_connection_form_in_a_browser(local_airflow, page):
    url, conn_id = local_airflow.url, "oic_from_browser"
    token_url = f"{local_airflow.emulator_url}/oauth2/v1/token"
    page.goto(f"{url}/connections")
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    page.get_by_role("combobox").first.focus()
    page.keyboard.type("Oracle Integration Cloud")
    page.keyboard.press("Enter")

    labels = dialog.locator("label").all_inner_texts()
    for label in ("OIC base URL", "OAuth client ID", "OAuth client secret"):
        assert any(text.strip() == label for text in labels), labels
    assert dialog.locator("input[name=password]").get_attribute("type") == "password"
    dialog.get_by_role("button", name="Extra Fields", exact=True).click()
    labels = [text.strip() for text in dialog.locator("label").all_inner_texts()]
    for label in ("IDCS token endpoint", "OAuth scope", "Integration instance", "Verify TLS", "Client key"):
        assert label in labels, labels
    assert dialog.locator("input[name=element_verify_ssl]").is_checked(), (
        "Verify TLS must show its default: on"
    )
    assert dialog.get_by_text("e.g. https://idcs-").count() == 1, "the token endpoint's format example"
    assert dialog.locator("input[name=element_client_key]").get_attribute("type") == "password"

    dialog.locator("input[name=connection_id]").fill(conn_id)
    dialog.get_by_role("button", name="Standard Fields", exact=True).click()
    dialog.locator("input[name=host]").fill(local_airflow.emulator_url)
    dialog.locator("input[name=login]").fill("oic-emulator-client")
    dialog.locator("input[name=password]").fill("oic-emulator-secret")
    dialog.get_by_role("button", name="Extra Fields", exact=True).click()
    dialog.locator("input[name=element_idcs_url]").fill(token_url)
    _shot(page, "1-add-form")
    dialog.get_by_role("button", name="Save").click()
    page.get_by_role("row").filter(has_text=conn_id).wait_for()

    # Airflow 3.3.2's UI sends `port: 0` to the test endpoint, which refuses (400) a connection stored
    # without a port (fixed upstream in apache/airflow PR 73298). A form without a port field cannot
    # store one, so the stored connection gets port 0 through the REST API, as the fixed UI would test.
    local_airflow.api(
        "PATCH",
        f"/connections/{conn_id}?update_mask=port",
        {"connection_id": conn_id, "conn_type": "oracle_oic", "port": 0},
    )

    green = _test_result(page, conn_id, "Test Connection Successful")
    _shot(page, "2-test-green")
    assert f"Connected to {local_airflow.emulator_url}" in green, green
    assert "oic-emulator-secret" not in page.content()

    row = page.get_by_role("row").filter(has_text=conn_id)
    row.get_by_role("button", name="Edit Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Extra Fields", exact=True).click()
    assert dialog.locator("input[name=element_idcs_url]").input_value() == token_url, (
        "token endpoint readable"
    )
    dialog.get_by_role("button", name="Standard Fields", exact=True).click()
    dialog.locator("input[name=password]").fill(WRONG_SECRET)
    _shot(page, "3-edit-wrong-secret")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")

    red = _test_result(page, conn_id, "Test Connection Failed")
    _shot(page, "4-test-red")
    assert "HTTP 401" in red, red
    html = page.content()
    assert WRONG_SECRET not in html
    assert "oic-emulator-secret" not in html


def _emulator(airflow: Any, method: str, path: str, body: Any = None) -> Any:
    """A call to the emulator the deployment deploys to (its control plane or its OIC API)."""
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if not path.startswith("/_emulator"):
        token = urllib.request.Request(
            f"{airflow.emulator_url}/oauth2/v1/token",
            data=b"grant_type=client_credentials&scope=x",
            headers={
                "Authorization": "Basic "
                + base64.b64encode(b"oic-emulator-client:oic-emulator-secret").decode()
            },
        )
        with urllib.request.urlopen(token, timeout=30) as answer:
            headers["Authorization"] = "Bearer " + json.load(answer)["access_token"]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{airflow.emulator_url}{path}", data=data, method=method, headers=headers
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        raw = answer.read()
    return json.loads(raw) if raw else None


def _parked(airflow: Any, run_id: str, deadline: float) -> None:
    """Wait until the scheduler has processed the exit of the approve task's parked attempt.

    Airflow 3.3.2 race: an answer that lands before that makes the scheduler fail the task ("finished
    with state success, but the task instance's state attribute is queued"). A person answering takes
    longer; a test answering at once must wait for it.
    """
    event = f"Received executor event with state success for task instance TaskInstanceKey(dag_id='oic_approved_promotion', task_id='approve', run_id='{run_id}'"
    log = airflow.home / "scheduler.log"
    while time.monotonic() < deadline:
        if event in log.read_text(errors="replace"):
            return
        time.sleep(1)
    pytest.fail(f"the scheduler never saw the parked approve attempt of {run_id} end")


def _awaiting_approval(airflow: Any, run_id: str, timeout: float = 300) -> dict[str, Any]:
    """The HITL request of the run's approve task, once the task waits for a person."""
    dag = "oic_approved_promotion"
    path = f"/dags/{dag}/dagRuns/{quote(run_id, safe='')}/taskInstances/approve/-1/hitlDetails"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        token = airflow.token()
        states = {ti["task_id"]: ti["state"] for ti in task_instances(airflow, token, dag, run_id)}
        if states.get("approve") == "awaiting_input":
            _parked(airflow, run_id, deadline)
            return airflow.api("GET", path, token=airflow.token())
        if states.get("plan") == "failed":
            pytest.fail(f"the plan task failed: {states}")
        time.sleep(2)
    pytest.fail(f"approve never waited for input: {states}")


def _answer(airflow: Any, run_id: str, choice: str) -> dict[str, Any]:
    """Answer the approval as the UI does: the HITL API of the api-server."""
    path = (
        f"/dags/oic_approved_promotion/dagRuns/{quote(run_id, safe='')}/taskInstances/approve/-1/hitlDetails"
    )
    airflow.api("PATCH", path, {"chosen_options": [choice]}, token=airflow.token())
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        token = airflow.token()
        run = airflow.api(
            "GET", f"/dags/oic_approved_promotion/dagRuns/{quote(run_id, safe='')}", token=token
        )
        if run["state"] in ("success", "failed"):
            states = {
                ti["task_id"]: ti["state"]
                for ti in task_instances(airflow, token, "oic_approved_promotion", run_id)
            }
            return {"run": run["state"], **states}
        time.sleep(2)
    pytest.fail(f"run {run_id} did not finish after the answer {choice}")


def _task_log_text(airflow: Any, run_id: str, task_id: str) -> str:
    """The events of a task's log, one per line (for failure messages)."""
    token = airflow.token()
    ti = next(
        t for t in task_instances(airflow, token, "oic_approved_promotion", run_id) if t["task_id"] == task_id
    )
    return "\n".join(
        " ".join(str(v) for k, v in e.items() if k not in ("timestamp", "logger", "level"))
        for e in task_log(airflow, token, ti)
    )


def _trigger(airflow: Any) -> str:
    token = airflow.token()
    airflow.api("PATCH", "/dags/oic_approved_promotion", {"is_paused": False}, token=token)
    run = airflow.api("POST", "/dags/oic_approved_promotion/dagRuns", {"logical_date": None}, token=token)
    return run["dag_run_id"]


@pytest.mark.timeout(1200)
def test_approved_promotion_applies_only_what_a_person_approved(local_airflow):
    airflow = local_airflow
    _emulator(airflow, "POST", "/_emulator/reset")

    rejected = _trigger(airflow)
    request = _awaiting_approval(airflow, rejected)
    assert request["options"] == ["Approve", "Reject"]
    assert "integration ORDERS|01.00.0000" in request["body"]
    assert "create" in request["body"]
    for secret in airflow.secrets:
        assert secret not in json.dumps(request)
    _emulator(airflow, "POST", "/_emulator/stats/reset")
    outcome = _answer(airflow, rejected, "Reject")
    assert outcome == {"run": "success", "plan": "success", "approve": "success", "apply": "skipped"}, (
        _task_log_text(airflow, rejected, "approve")
    )
    assert _emulator(airflow, "GET", "/_emulator/stats")["writes"] == 0

    approved = _trigger(airflow)
    _awaiting_approval(airflow, approved)
    outcome = _answer(airflow, approved, "Approve")
    assert outcome == {"run": "success", "plan": "success", "approve": "success", "apply": "success"}, (
        _task_log_text(airflow, approved, "apply") + _task_log_text(airflow, approved, "approve")
    )
    integrations = _emulator(airflow, "GET", "/_emulator/state")["integrations"]
    assert {(i["code"], i["status"]) for i in integrations} == {("ORDERS", "ACTIVATED")}

    # Approved, but OIC changed between the plan and the answer: apply refuses and writes nothing.
    changed = _trigger(airflow)
    _awaiting_approval(airflow, changed)
    _emulator(
        airflow,
        "PUT",
        "/ic/api/integration/v1/lookups/COUNTRY_CODES",
        {"name": "COUNTRY_CODES", "columns": ["iso2", "name"], "rows": [{"rowData": ["BE", "Belgium"]}]},
    )
    _emulator(airflow, "POST", "/_emulator/stats/reset")
    outcome = _answer(airflow, changed, "Approve")
    assert (outcome["run"], outcome["apply"]) == ("failed", "failed")
    assert _emulator(airflow, "GET", "/_emulator/stats")["writes"] == 0
    token = airflow.token()
    apply = next(
        ti
        for ti in task_instances(airflow, token, "oic_approved_promotion", changed)
        if ti["task_id"] == "apply"
    )
    text = json.dumps(task_log(airflow, token, apply))
    assert "lookup COUNTRY_CODES: plan: OIC changed it since the plan" in text


def test_the_launcher_names_every_example_dag(local_airflow):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(local_airflow.dags))
    assert local_airflow.dag_ids() == sorted(bag.dag_ids)
    assert len(bag.dag_ids) >= 7


def _oic(airflow: Any, method: str, path: str, **kwargs: Any) -> Any:
    """A call to the OIC emulator playing `oracle_oic_default` (instance local-test), as a person would
    make it in OIC's console, behind the tool's back."""
    import requests

    token = requests.post(
        f"{airflow.emulator_url}/oauth2/v1/token",
        auth=("oic-emulator-client", "oic-emulator-secret"),
        data={"grant_type": "client_credentials", "scope": "console"},
        timeout=10,
    ).json()["access_token"]
    answer = requests.request(
        method,
        f"{airflow.emulator_url}/ic/api/integration/v1{path}",
        params={"integrationInstance": "local-test"},
        headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
        timeout=30,
        **kwargs,
    )
    answer.raise_for_status()
    return answer.json() if answer.content else None


def _promote(airflow: Any) -> dict[str, Any]:
    token = airflow.token()
    airflow.api("PATCH", "/dags/oic_scheduled_promotion", {"is_paused": False}, token=token)
    run = airflow.api("POST", "/dags/oic_scheduled_promotion/dagRuns", {"logical_date": None}, token=token)
    deadline = time.monotonic() + 420
    while True:
        path = f"/dags/oic_scheduled_promotion/dagRuns/{quote(run['dag_run_id'], safe='')}"
        state = airflow.api("GET", path, token=airflow.token())
        if state["state"] in ("success", "failed"):
            assert state["state"] == "success", state
            return state
        assert time.monotonic() < deadline, f"the promotion has not finished: {state}"
        time.sleep(3)


@pytest.mark.timeout(900)
def test_the_estate_page_and_the_run_view_in_a_browser(local_airflow, page):
    import requests

    airflow, url = local_airflow, local_airflow.url
    _promote(airflow)
    # Registered through the provider: the plugin, its app and its entry under Browse.
    plugins = airflow.api("GET", "/plugins", token=airflow.token())["plugins"]
    ours = next(p for p in plugins if p["name"] == "oracle_oic")
    assert [v["url_route"] for v in ours["external_views"]] == ["oic-estate"]
    # Refused without Airflow's authentication.
    assert requests.get(f"{url}/oracle-oic/estate", timeout=30).status_code == 401
    assert requests.get(f"{url}/oracle-oic/api/estate", timeout=30).status_code == 401

    page.goto(f"{url}/oracle-oic/estate?refresh=1")
    headers = page.locator("th").all_inner_texts()
    assert any("local-test" in h and "oracle_oic_default" in h for h in headers), headers
    assert any("local-dev" in h and "oracle_oic_source" in h for h in headers), headers
    assert not [h for h in headers if "cannot be read" in h and "oracle_oic_" in h], headers
    # The connection the form test saved with a wrong secret is shown as unreadable, never as empty.
    assert all("cannot be read" in h for h in headers if "oic_from_browser" in h), headers

    def row(kind: str, name: str) -> Any:
        return page.locator(f"tr[data-kind='{kind}']").filter(
            has=page.locator("span.name", has_text=re.compile(f"^{re.escape(name)}$"))
        )

    orders = row("integration", "ORDERS")
    assert "01.00.0000" in orders.inner_text()
    assert "ACTIVATED" in orders.inner_text()
    # The run that last changed it (a later run that changed nothing keeps that name), linked to it.
    deployed_by = orders.locator("a").first
    assert deployed_by.inner_text().split(" / ")[0] in ("oic_scheduled_promotion", "oic_approved_promotion")
    assert re.match(r"^/dags/oic_\w+/runs/[^/]+/tasks/\w+$", deployed_by.get_attribute("href") or "")
    # Earlier tests of this module may have left drift of their own; these two rows start clean.
    assert row("integration", "ORDERS").locator(".drift").count() == 0
    assert row("lookup", "COUNTRY_CODES").locator(".drift").count() == 0
    # The dev OIC's OIC 3 project: its integrations and its deployments have rows of their own.
    hub = row("integration", "ORDERS-HUB/ORD_IN")
    assert "01.01.0000" in hub.inner_text()
    assert "ACTIVATED" in hub.inner_text()
    assert row("project", "ORDERS-HUB deployment REL_2").count() == 1
    _shot(page, "estate")
    page.goto(f"{url}/plugin/oic-estate")
    page.frame_locator("iframe").locator("h1").filter(has_text="OIC estate").wait_for()
    _shot(page, "estate-in-airflow-nav")

    # Behind the tool's back: ORDERS taken down, a country code edited.
    _oic(
        airflow,
        "POST",
        "/integrations/ORDERS%7C01.00.0000",
        json={"status": "CONFIGURED"},
        headers={"X-HTTP-Method-Override": "PATCH"},
    )
    codes = _oic(airflow, "GET", "/lookups/COUNTRY_CODES")
    table = [r["rowData"] for r in codes["rows"]]
    table[0] = [table[0][0], "edited by hand"]
    _oic(
        airflow,
        "PUT",
        "/lookups/COUNTRY_CODES",
        json={"name": "COUNTRY_CODES", "columns": codes["columns"], "rows": [{"rowData": r} for r in table]},
    )
    page.goto(f"{url}/oracle-oic/estate?refresh=1")
    assert row("integration", "ORDERS").locator(".drift").count() == 1
    assert row("lookup", "COUNTRY_CODES").locator(".drift").count() == 1
    _shot(page, "estate-drift")

    # The scheduled promotion repairs the drift; its run view shows the lookup rows it put back.
    repaired = _promote(airflow)
    page.goto(
        f"{url}/oracle-oic/runs/oic_scheduled_promotion/{quote(repaired['dag_run_id'], safe='')}/deploy"
    )
    page.locator("h1").filter(has_text="target-oracle-oic deploy run").wait_for()
    diff = page.locator("pre").filter(has_text="edited by hand").inner_text()
    assert "- " in diff, diff
    assert "+ " in diff, diff
    assert page.locator("span.del").filter(has_text="edited by hand").count() == 1
    _shot(page, "run-view")
    page.goto(f"{url}/oracle-oic/estate?refresh=1")
    assert row("integration", "ORDERS").locator(".drift").count() == 0
    assert row("lookup", "COUNTRY_CODES").locator(".drift").count() == 0
    for source in (page.content(),):
        for secret in airflow.secrets:
            assert secret not in source
