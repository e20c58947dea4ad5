"""Deploy Oracle Integration Cloud artifacts from Airflow and Singer."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

INTEGRATION = "Oracle Integration Cloud"


def get_provider_info() -> dict[str, Any]:
    """Provider metadata for Airflow's ProvidersManager (no Airflow import, no I/O)."""
    from .connection_form import CONFIG, CONN_FIELDS, UI_FIELD_BEHAVIOUR

    return {
        "package-name": "airflow-provider-oracle-oic",
        "name": "Oracle Integration Cloud",
        "description": "Deploy and operate Oracle Integration Cloud (OIC) artifacts: connections, integrations, "
        "lookups, packages, libraries, certificates and OIC 3 projects.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": INTEGRATION,
                "external-doc-url": "https://docs.oracle.com/en/cloud/paas/application-integration/rest-api/",
                "tags": ["service"],
            }
        ],
        "hooks": [
            {"integration-name": INTEGRATION, "python-modules": ["airflow_provider_oracle_oic.hooks.oic"]}
        ],
        "operators": [
            {
                "integration-name": INTEGRATION,
                "python-modules": [
                    "airflow_provider_oracle_oic.operators.singer_to_oic",
                    "airflow_provider_oracle_oic.operators.activate",
                    "airflow_provider_oracle_oic.operators.canary",
                    "airflow_provider_oracle_oic.operators.deployment",
                    "airflow_provider_oracle_oic.operators.drift",
                    "airflow_provider_oracle_oic.operators.restore",
                ],
            }
        ],
        "sensors": [
            {
                "integration-name": INTEGRATION,
                "python-modules": ["airflow_provider_oracle_oic.sensors.activation"],
            }
        ],
        "triggers": [
            {
                "integration-name": INTEGRATION,
                "python-modules": [
                    "airflow_provider_oracle_oic.triggers.activation",
                    "airflow_provider_oracle_oic.triggers.deployment",
                ],
            }
        ],
        "config": CONFIG,
        "extra-links": [
            "airflow_provider_oracle_oic.links.OICConsoleLink",
            "airflow_provider_oracle_oic.links.OICRunReportLink",
        ],
        "connection-types": [
            {
                "connection-type": "oracle_oic",
                "hook-class-name": "airflow_provider_oracle_oic.hooks.oic.OracleOICHook",
                "hook-name": "Oracle Integration Cloud",
                "conn-fields": CONN_FIELDS,
                "ui-field-behaviour": UI_FIELD_BEHAVIOUR,
            }
        ],
    }
