"""Several OIC 3 service instances in one emulator process, told apart by integrationInstance."""

from __future__ import annotations

import pytest
import requests

from airflow_provider_oracle_oic.emulator import EmulatorServer
from airflow_provider_oracle_oic.emulator.cli import build_parser
from airflow_provider_oracle_oic.oic import OICBadRequestError, OICClient
from tests.oic.conftest import make_config

NAMES = ["dev", "test", "prod-1"]


@pytest.fixture(scope="module")
def fleet():
    with EmulatorServer(instances=NAMES) as server:
        yield server


def client(server: EmulatorServer, instance: str | None) -> OICClient:
    return OICClient(make_config(server, integration_instance=instance, max_retries=0))


def test_each_instance_keeps_its_own_artifacts_and_counts(fleet):
    for name in NAMES:
        fleet.reset_stats_of(name)
    with client(fleet, "dev") as dev, client(fleet, "test") as test:
        dev.lookups.create("CODES", ("a", "b"), (("1", "dev"),))
        test.lookups.create("CODES", ("a", "b"), (("1", "test"),))
        assert dev.lookups.get("CODES").rows == (("1", "dev"),)
        assert test.lookups.get("CODES").rows == (("1", "test"),)
    with client(fleet, "prod-1") as prod:
        assert prod.lookups.find("CODES") is None
    assert [lookup["name"] for lookup in fleet.state("dev")["lookups"]] == ["CODES"]
    assert fleet.state("prod-1")["lookups"] == []
    assert [fleet.stats(name)["writes"] for name in NAMES] == [1, 1, 0]


def test_an_unknown_or_missing_instance_is_named_with_the_ones_served(fleet):
    with (
        client(fleet, "stage") as stage,
        pytest.raises(OICBadRequestError, match="this OIC serves dev, test, prod-1"),
    ):
        stage.lookups.list()
    token = requests.post(
        fleet.token_url,
        data={"grant_type": "client_credentials", "scope": "x"},
        auth=(fleet.config.client_id, fleet.config.client_secret),
        timeout=10,
    ).json()["access_token"]
    answer = requests.get(
        f"{fleet.api_url}/lookups", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.status_code == 400
    assert "integrationInstance is required" in answer.json()["detail"]


def test_faults_are_per_instance(fleet):
    fleet.set_faults([{"route": "/ic/api/*", "p503": 1.0}], instance="test")
    try:
        with client(fleet, "dev") as dev:
            dev.lookups.list()
        with client(fleet, "test") as test, pytest.raises(Exception, match="503"):
            test.lookups.list()
    finally:
        fleet.set_faults([], instance="test")


def test_the_cli_takes_instances_or_one_instance_not_both():
    args = build_parser().parse_args(["--instances", "dev,test"])
    assert args.instances == "dev,test"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--instances", "dev", "--instance", "dev"])
    with pytest.raises(ValueError, match="distinct, non-empty names"):
        EmulatorServer(instances=["dev", "dev"])
