"""Connection records checked against OIC's catalogue of their adapter (docs/oic-reference.md §4, §11.2-§11.3)."""

from __future__ import annotations

from airflow_provider_oracle_oic.singer.inprocess import run_target
from tests.http_api import Api
from tests.target.conftest import singer_lines

CLIENT_SECRET = "oauth-client-secret-8812"


def oauth_connection(**security: str) -> tuple[str, dict]:
    return (
        "connections",
        {
            "id": "REST_OAUTH",
            "securityPolicy": "OAUTH_CLIENT_CREDENTIALS",
            "connectionUrl": "https://erp.example.com/api",
            "securityProperties": security,
        },
    )


REAL_NAMES = {
    "oauth.client.id": "erp-client",
    "oauth.client.secret": "${ERP_CLIENT_SECRET}",
    "oauth.access.token.uri": "https://idcs.example.com/oauth2/v1/token",
    "oauth.scope": "erp.read",
}


def test_an_oauth_connection_with_oracles_names_configures_and_activates(config, archives, oic_emulator):
    records = [
        (
            "integrations",
            {
                "code": "USES_OAUTH",
                "version": "01.00.0000",
                "activate": True,
                "archive_path": archives.iar("USES_OAUTH", connections=["REST_OAUTH"]),
            },
        ),
        oauth_connection(**REAL_NAMES),
    ]
    result = run_target(config, singer_lines(records), secrets={"ERP_CLIENT_SECRET": CLIENT_SECRET})
    assert result.ok, result.summary()
    api = Api(oic_emulator)
    conn = api.get("/connections/REST_OAUTH").json()
    assert (conn["status"], conn["securityPolicy"]) == ("CONFIGURED", "OAUTH_CLIENT_CREDENTIALS")
    values = {p["propertyName"]: p.get("propertyValue") for p in conn["securityProperties"]}
    assert values["oauth.access.token.uri"] == "https://idcs.example.com/oauth2/v1/token"
    assert values["oauth.client.secret"] is None
    assert api.status("USES_OAUTH|01.00.0000") == "ACTIVATED"
    assert CLIENT_SECRET not in result.summary()


def test_camel_case_names_on_an_existing_connection_fail_before_any_write(config, api, oic_emulator):
    api.import_iar("USES_OAUTH", "01.00.0000", connections=["REST_OAUTH"])
    oic_emulator.reset_stats()
    wrong = {
        "clientId": "erp-client",
        "clientSecret": "${ERP_CLIENT_SECRET}",
        "accessTokenUri": "https://idcs/t",
    }
    result = run_target(config, singer_lines([oauth_connection(**wrong)]), secrets={"ERP_CLIENT_SECRET": "x"})
    assert not result.ok
    assert not result.wrote
    messages = [str(issue) for issue in result.issues]
    assert any(
        "connection REST_OAUTH: securityProperties.clientId" in m and "did you mean 'oauth.client.id'?" in m
        for m in messages
    ), messages
    assert any("did you mean 'oauth.access.token.uri'?" in m for m in messages), messages
    assert any("needs oauth.access.token.uri, oauth.client.id, oauth.client.secret" in m for m in messages)
    assert oic_emulator.stats()["writes"] == 0


def test_camel_case_names_on_a_connection_this_run_creates_fail_after_its_import_and_roll_back(
    config, archives, oic_emulator
):
    wrong = {
        "clientId": "erp-client",
        "clientSecret": "${ERP_CLIENT_SECRET}",
        "accessTokenUri": "https://idcs/t",
    }
    records = [
        (
            "integrations",
            {
                "code": "NEWCOMER",
                "version": "01.00.0000",
                "archive_path": archives.iar("NEWCOMER", connections=["REST_OAUTH"]),
            },
        ),
        oauth_connection(**wrong),
    ]
    result = run_target(config, singer_lines(records), secrets={"ERP_CLIENT_SECRET": "x"})
    assert not result.ok
    [failed] = result.failures
    assert failed.artifact == "connection REST_OAUTH"
    assert "did you mean 'oauth.client.id'?" in (failed.detail or "")
    state = oic_emulator.state()
    assert state["integrations"] == []
    assert state["connections"] == []


def test_a_literal_password_is_refused_unless_allowed(config, api, oic_emulator):
    api.import_iar("USES_OAUTH", "01.00.0000", connections=["REST_OAUTH"])
    literal = {**REAL_NAMES, "oauth.client.secret": "written-in-git-4431"}
    refused = run_target(config, singer_lines([oauth_connection(**literal)]))
    assert not refused.ok
    [issue] = refused.issues
    assert issue.field == "securityProperties.oauth.client.secret"
    assert "${VAR} placeholder" in issue.message
    assert "written-in-git-4431" not in refused.summary()
    allowed = run_target(
        {**config, "allow_literal_secrets": True}, singer_lines([oauth_connection(**literal)])
    )
    assert allowed.ok, allowed.summary()
    assert api.get("/connections/REST_OAUTH").json()["status"] == "CONFIGURED"


def test_a_policy_the_adapter_does_not_offer_names_the_ones_it_does(config, api):
    api.import_iar("USES_OAUTH", "01.00.0000", connections=["REST_OAUTH"])
    record = ("connections", {"id": "REST_OAUTH", "securityPolicy": "FTP_SERVER_ACCESS_POLICY"})
    result = run_target(config, singer_lines([record]))
    [issue] = result.issues
    assert issue.field == "securityPolicy"
    assert "not offered by its rest adapter" in issue.message
    assert "OAUTH_CLIENT_CREDENTIALS" in issue.message


def test_validate_only_says_which_connections_it_could_not_check(config, oic_emulator):
    record = ("connections", {"id": "REST_OAUTH", "securityPolicy": "BASIC_AUTH"})
    result = run_target({**config, "validate_only": True}, singer_lines([record]))
    assert result.ok
    assert any("connection REST_OAUTH" in w and "not checked against OIC" in w for w in result.warnings)
