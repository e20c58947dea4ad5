"""Which steps of a plan wait for which (pure logic)."""

from __future__ import annotations

from pathlib import Path

from airflow_provider_oracle_oic.deploy.model.specs import (
    ArchiveFile,
    ConnectionSpec,
    IntegrationSpec,
    LibrarySpec,
    LookupSpec,
)
from airflow_provider_oracle_oic.deploy.plan.dependencies import dependencies
from airflow_provider_oracle_oic.deploy.plan.planner import ACTIVATION_LEVEL, LEVELS, Action, Plan, Step

ARCHIVE = ArchiveFile(Path("a.iar"), "0" * 64, "a.iar")


def _step(spec, level=None) -> Step:
    return Step(spec, Action.CREATE, "test", level or LEVELS[spec.kind])


def test_each_step_waits_only_for_what_it_needs():
    used = LookupSpec("USED", ("a", "b"), (("1", "2"),))
    other = LookupSpec("OTHER", ("a", "b"), (("1", "2"),))
    library = LibrarySpec("LIB", "01.00.0000", "lib", ARCHIVE)
    orders = IntegrationSpec("ORDERS", "01.00.0000", ARCHIVE, connections=("REST_IN",), lookups=("USED",))
    billing = IntegrationSpec("BILLING", "01.00.0000", ARCHIVE, connections=("SOAP_OUT",))
    rest_in = ConnectionSpec("REST_IN")
    soap_out = ConnectionSpec("SOAP_OUT")
    steps = [
        _step(used),
        _step(other),
        _step(library),
        _step(orders),
        _step(billing),
        _step(rest_in),
        _step(soap_out),
        _step(orders, ACTIVATION_LEVEL),
    ]
    needs = dependencies(Plan(steps))
    named = [{steps[n].spec.key + ("!" if steps[n].is_activation else "") for n in need} for need in needs]
    assert named[0] == named[1] == named[2] == set()
    assert named[3] == {"USED", "LIB|01.00.0000"}
    assert named[4] == {"LIB|01.00.0000"}
    assert named[5] == {"ORDERS|01.00.0000", "LIB|01.00.0000"}
    assert named[6] == {"BILLING|01.00.0000", "LIB|01.00.0000"}
    assert named[7] == {"ORDERS|01.00.0000", "USED", "LIB|01.00.0000", "REST_IN"}
