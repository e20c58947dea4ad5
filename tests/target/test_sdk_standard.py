"""singer-sdk's standard target tests that apply to a target with a fixed set of streams.

The other standard tests feed streams such as `test_array_data` that are not OIC artifacts; this
target refuses unknown streams by contract (docs/streams.md), so they do not apply.
"""

from __future__ import annotations

from singer_sdk.testing import get_target_test_class
from singer_sdk.testing.suites import SingerTestSuite
from singer_sdk.testing.target_tests import (
    TargetCliPrintsTest,
    TargetInvalidSchemaTest,
    TargetRecordBeforeSchemaTest,
    TargetRecordMissingKeyProperty,
)

from airflow_provider_oracle_oic.singer.target import TargetOracleOIC

SUITE = SingerTestSuite(
    kind="target",
    tests=[
        TargetCliPrintsTest,
        TargetInvalidSchemaTest,
        TargetRecordBeforeSchemaTest,
        TargetRecordMissingKeyProperty,
    ],
)
CONFIG = {
    "base_url": "http://127.0.0.1:9",
    "oauth_client_id": "standard-tests",
    "oauth_client_secret": "standard-tests-secret",
    "oauth_token_url": "http://127.0.0.1:9/oauth2/v1/token",
    "streams": ["connections", "integrations", "lookups", "packages", "libraries", "certificates"],
}

StandardTests = get_target_test_class(
    TargetOracleOIC, config=CONFIG, custom_suites=[SUITE], include_target_tests=False
)


class TestTargetOracleOIC(StandardTests):  # type: ignore[misc, valid-type]
    """The applicable singer-sdk standard tests."""
