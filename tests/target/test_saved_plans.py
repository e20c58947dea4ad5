"""A saved plan is applied exactly as reviewed, or refused with one line before any write."""

from __future__ import annotations

import json

import pytest

from tests.target.test_governance import SECRET, cli, release

__all__ = ["cli"]


def plan_of(cli, archives, tmp_path, config_changes=None):
    plan = tmp_path / "plan.json"
    made = cli("--plan-out", str(plan), records=release(archives, [["1", "one"]]))
    assert made.returncode == 0, made.stderr
    return plan


def apply(cli, archives, plan):
    return cli("--plan", str(plan), records=release(archives, [["1", "one"]]))


def refusal(done) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def test_a_plan_made_before_the_first_deploy_applies_unchanged(cli, archives, tmp_path, oic_emulator):
    plan = plan_of(cli, archives, tmp_path)
    assert SECRET not in plan.read_text()
    oic_emulator.reset_stats()
    done = apply(cli, archives, plan)
    assert done.returncode == 0, done.stderr
    assert oic_emulator.stats()["writes"] > 0


def test_a_duplicated_step_refuses_the_plan(cli, archives, tmp_path, oic_emulator):
    plan = plan_of(cli, archives, tmp_path)
    body = json.loads(plan.read_text())
    body["steps"].append(body["steps"][0])
    plan.write_text(json.dumps(body))
    oic_emulator.reset_stats()
    text = refusal(apply(cli, archives, plan))
    assert "more than once" in text
    assert oic_emulator.stats()["writes"] == 0


def test_steps_out_of_order_refuse_the_plan(cli, archives, tmp_path, oic_emulator):
    plan = plan_of(cli, archives, tmp_path)
    body = json.loads(plan.read_text())
    body["steps"].reverse()
    plan.write_text(json.dumps(body))
    oic_emulator.reset_stats()
    assert "not in the order" in refusal(apply(cli, archives, plan))
    assert oic_emulator.stats()["writes"] == 0


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda body: body["steps"][0].pop("fingerprint"), "step 1 must have exactly the fields"),
        (lambda body: body["steps"][0].update(action=["create"]), "step 1 field action must be text"),
        (lambda body: body.update(steps={}), "has no list of steps"),
        (
            lambda body: body.update(base_url="https://elsewhere.example.com"),
            "was made for https://elsewhere",
        ),
        (lambda body: body.update(instance="other-instance"), "(instance other-instance)"),
        (lambda body: body.update(version=1), "is format 1"),
    ],
)
def test_a_damaged_or_foreign_plan_is_refused_in_one_line(
    cli, archives, tmp_path, oic_emulator, damage, expected
):
    plan = plan_of(cli, archives, tmp_path)
    body = json.loads(plan.read_text())
    damage(body)
    plan.write_text(json.dumps(body))
    oic_emulator.reset_stats()
    assert expected in refusal(apply(cli, archives, plan))
    assert oic_emulator.stats()["writes"] == 0


def test_a_plan_for_another_oic_with_the_same_instance_name_is_refused(
    cli, archives, tmp_path, oic_emulator, config
):
    plan = plan_of(cli, archives, tmp_path)
    body = json.loads(plan.read_text())
    body["base_url"] = "https://other-oic.example.com"
    plan.write_text(json.dumps(body))
    assert "was made for https://other-oic.example.com" in refusal(apply(cli, archives, plan))


def test_a_plan_file_that_is_not_utf8_is_refused(cli, archives, tmp_path, oic_emulator):
    plan = tmp_path / "plan.json"
    plan.write_bytes(b'{"format": "\xff\xfe"}')
    assert "is not UTF-8 text" in refusal(apply(cli, archives, plan))
