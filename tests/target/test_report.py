"""`--report FILE.html`: the run as one self-contained page — every step, its changes as diffs, the
rollback — for a dry run and for a failed, rolled-back run; no secret and nothing fetched from outside."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.target.conftest import singer_lines
from tests.target.test_cli import run

SECRET = "erp-password-that-must-not-show"
API = "/ic/api/integration/v1"


class Page(HTMLParser):
    """The text of a page and every URL it would load or link to."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.urls: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.urls += [v for k, v in attrs if k in ("src", "href", "action") and v]

    def handle_data(self, data):
        self.text.append(data)


def read(path: Path) -> tuple[str, Page]:
    html = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    return html, page


def release(archives) -> list[str]:
    return singer_lines(
        [
            (
                "lookups",
                {"name": "CODES", "columns": ["code", "label"], "rows": [["1", "one"], ["2", "deux"]]},
            ),
            (
                "connections",
                {
                    "id": "REST_ERP",
                    "securityPolicy": "BASIC_AUTH",
                    "connectionUrl": "https://erp.example.com/v2",
                    "securityProperties": {"username": "svc", "password": "${ERP_PASSWORD}"},
                },
            ),
            (
                "integrations",
                {
                    "code": "HELLO",
                    "version": "01.00.0000",
                    "archive_path": archives.iar("HELLO", connections=["REST_ERP"]),
                },
            ),
        ]
    )


def seed(oic_emulator) -> None:
    oic_emulator.seed(
        {
            "lookups": [
                {"name": "CODES", "columns": ["code", "label"], "rows": [["1", "one"], ["2", "two"]]}
            ],
            "connections": [
                {
                    "id": "REST_ERP",
                    "securityPolicy": "BASIC_AUTH",
                    "status": "CONFIGURED",
                    "connectionProperties": {"connectionUrl": "https://erp.example.com/v1"},
                    "securityProperties": {"username": "svc", "password": "old"},
                }
            ],
        }
    )


def test_a_dry_run_report_shows_every_step_and_its_diffs(tmp_path, config, archives, oic_emulator):
    seed(oic_emulator)
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "input.jsonl").write_text("\n".join(release(archives)) + "\n")
    report = tmp_path / "plan.html"
    done = run(
        [
            "--config",
            str(tmp_path / "config.json"),
            "--input",
            str(tmp_path / "input.jsonl"),
            "--dry-run",
            "--report",
            str(report),
        ],
        env={"ERP_PASSWORD": SECRET},
    )
    assert done.returncode == 0, done.stderr
    assert f"report written to {report}" in done.stderr
    html, page = read(report)
    text = " ".join(page.text)
    for artifact in ("lookup CODES", "connection REST_ERP", "integration HELLO|01.00.0000"):
        assert artifact in text
    assert "- 2 | two" in text
    assert "+ 2 | deux" in text
    assert (
        "connectionProperties.connectionUrl: https://erp.example.com/v1 → https://erp.example.com/v2" in text
    )
    assert "securityProperties.password: set (secret, not shown)" in text
    assert SECRET not in html
    # Self-contained: nothing to fetch, nothing to run.
    assert page.urls == []
    assert "script" not in page.tags


def test_a_failed_run_report_names_the_rollback(tmp_path, config, archives, oic_emulator):
    seed(oic_emulator)
    (tmp_path / "config.json").write_text(json.dumps({**config, "max_retries": 0}))
    (tmp_path / "input.jsonl").write_text("\n".join(release(archives)) + "\n")
    oic_emulator.set_faults([{"route": f"{API}/integrations/archive", "methods": ["POST"], "p500": 1.0}])
    report = tmp_path / "run.html"
    done = run(
        [
            "--config",
            str(tmp_path / "config.json"),
            "--input",
            str(tmp_path / "input.jsonl"),
            "--report",
            str(report),
        ],
        env={"ERP_PASSWORD": SECRET},
    )
    oic_emulator.set_faults([])
    assert done.returncode == 1, done.stderr
    html, page = read(report)
    text = " ".join(page.text)
    assert "FAILED" in text
    assert "Rolled back" in text
    assert re.search(r"ok: restore lookup CODES \(2 rows\)", text)
    assert "rolled_back" in text
    assert SECRET not in html


@pytest.mark.e2e
def test_the_reports_open_in_a_browser_with_the_network_off(tmp_path, config, archives, oic_emulator):
    """Chromium (Debian's), offline, every request that is not the file itself refused."""
    from tests.airflow.test_real_deployment import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no chromium at {CHROMIUM}: make test installs Debian's as root")
    from playwright.sync_api import sync_playwright

    seed(oic_emulator)
    (tmp_path / "config.json").write_text(json.dumps({**config, "max_retries": 0}))
    (tmp_path / "input.jsonl").write_text("\n".join(release(archives)) + "\n")
    common = ["--config", str(tmp_path / "config.json"), "--input", str(tmp_path / "input.jsonl")]
    assert (
        run(
            [*common, "--dry-run", "--report", str(tmp_path / "plan.html")], {"ERP_PASSWORD": SECRET}
        ).returncode
        == 0
    )
    oic_emulator.set_faults([{"route": f"{API}/integrations/archive", "methods": ["POST"], "p500": 1.0}])
    assert run([*common, "--report", str(tmp_path / "run.html")], {"ERP_PASSWORD": SECRET}).returncode == 1
    oic_emulator.set_faults([])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    fetched: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True)
        context.route("**/*", lambda route: (fetched.append(route.request.url), route.continue_()))
        page = context.new_page()
        for name, wanted in (
            ("plan.html", ["lookup CODES", "+ 2 | deux", "- 2 | two", "set (secret, not shown)"]),
            ("run.html", ["FAILED", "Rolled back", "restore lookup CODES (2 rows)"]),
        ):
            page.goto((tmp_path / name).as_uri())
            body = page.inner_text("body")
            for text in wanted:
                assert text in body, (name, text)
            assert SECRET not in page.content()
            page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"), full_page=True)
        browser.close()
    assert fetched == [(tmp_path / "plan.html").as_uri(), (tmp_path / "run.html").as_uri()]
