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

# Where an activation or deactivation in progress ends when it succeeds.
SETTLES_TO = {
    IntegrationStatus.ACTIVATION_INPROGRESS: IntegrationStatus.ACTIVATED,
    IntegrationStatus.DEACTIVATION_INPROGRESS: IntegrationStatus.CONFIGURED,
}


def settles_to(status: str | None) -> IntegrationStatus | None:
    """The status a change in progress is heading for; None when no change is in progress."""
    # A str-valued enum member hashes and compares like its value: OIC's plain strings find it.
    return SETTLES_TO.get(status)  # type: ignore[call-overload]
