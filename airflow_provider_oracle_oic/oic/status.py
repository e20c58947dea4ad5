"""Integration statuses (their own module: operators name them at DAG parse time)."""

from __future__ import annotations

from enum import Enum


class IntegrationStatus(str, Enum):
    """An integration's status as OIC reports it (`status`; `activationStatus` uses the first four)."""

    CONFIGURED = "CONFIGURED"
    ACTIVATION_INPROGRESS = "ACTIVATION_INPROGRESS"
    ACTIVATED = "ACTIVATED"
    FAILEDACTIVATION = "FAILEDACTIVATION"
    DEACTIVATION_INPROGRESS = "DEACTIVATION_INPROGRESS"

    def __str__(self) -> str:
        return self.value


# The statuses in which OIC refuses to overwrite an integration (412): it must be taken down first,
# waiting out a change in progress (one a crashed run may have left).
LOCKED_FOR_REPLACE = frozenset(
    {
        IntegrationStatus.ACTIVATED,
        IntegrationStatus.ACTIVATION_INPROGRESS,
        IntegrationStatus.DEACTIVATION_INPROGRESS,
    }
)
