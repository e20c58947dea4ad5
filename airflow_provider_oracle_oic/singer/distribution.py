"""Which distribution installed the Singer plugins, so `--version` and `--about` can name their version."""

from __future__ import annotations

from importlib import metadata

DISTRIBUTIONS = ("target-oracle-oic", "airflow-provider-oracle-oic")


def installed_distribution() -> str:
    """`target-oracle-oic` when installed on its own, else the all-in-one `airflow-provider-oracle-oic`."""
    for name in DISTRIBUTIONS:
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        return name
    return DISTRIBUTIONS[-1]


DISTRIBUTION = installed_distribution()
