"""Every target-oracle-oic setting, declared once (the client's own in `oic/settings.py`): the JSON schema, `--about`, the engine's defaults,
`docs/settings.md` and the `meltano.yml` check are all produced from this list."""

from __future__ import annotations

from enum import Enum
from typing import Any

from ...oic.settings import CLIENT_SETTINGS, Setting
from .specs import STREAMS

IMPORT_MODES = ("create_only", "update_only", "create_or_update")
CONFLICT_RESOLUTIONS = ("skip", "overwrite", "version")
ACTIVATION_POLICIES = ("auto", "manual", "scheduled")


class Strategy(str, Enum):
    """How a release goes live (`deployment_strategy`); the steps each adds are in `deploy/strategies`."""

    ROLLING = "rolling"
    BLUE_GREEN = "blue_green"
    CANARY = "canary"

    @property
    def needs(self) -> tuple[str, ...]:
        """The settings it cannot go without."""
        return {
            Strategy.BLUE_GREEN: ("deployment_prefix", "routing_lookup"),
            Strategy.CANARY: ("routing_lookup",),
        }.get(self, ())

    @property
    def routes(self) -> bool:
        """Whether it moves traffic through `routing_lookup` (so the run reads that lookup first)."""
        return self is not Strategy.ROLLING


DEPLOYMENT_STRATEGIES = tuple(strategy.value for strategy in Strategy)


SETTINGS: tuple[Setting, ...] = (
    *CLIENT_SETTINGS,
    Setting(
        "import_mode",
        "string",
        "create_only leaves existing artifacts alone; update_only never creates",
        default="create_or_update",
        choices=IMPORT_MODES,
    ),
    Setting(
        "conflict_resolution",
        "string",
        "When CODE|VERSION exists with different content: skip (leave it), overwrite (deactivate, replace, "
        "reactivate) or version (refuse: versions are immutable)",
        default="overwrite",
        choices=CONFLICT_RESOLUTIONS,
    ),
    Setting(
        "activate_integrations",
        "boolean",
        "Activate integrations (and package integrations) after import by default",
        default=False,
    ),
    Setting(
        "activation_policy",
        "string",
        "auto: activate as records and activate_integrations say; manual: change no activation (what was "
        "ACTIVATED before a replace comes back, nothing else is activated); scheduled: as auto, then start "
        "the schedules of scheduled integrations. Takes precedence over activate flags",
        default="auto",
        choices=ACTIVATION_POLICIES,
    ),
    Setting(
        "deployment_strategy",
        "string",
        "rolling: each artifact replaced in place, in dependency order; blue_green: the release goes in "
        "under deployment_prefix beside the live colour, then routing_lookup is switched to it and the "
        "live_prefix colour is deactivated; canary: a new major version goes live beside the stable one "
        "and routing_lookup moves traffic to it through canary_steps while OIC monitoring shows it healthy, "
        "else the run rolls back",
        default="rolling",
        choices=DEPLOYMENT_STRATEGIES,
    ),
    Setting(
        "routing_lookup",
        "string",
        "blue_green and canary: the lookup the integrations' front door routes by (blue_green: columns "
        "service, color; canary: columns version, weight)",
    ),
    Setting("live_prefix", "string", "blue_green: prefix of the live colour that is retired (e.g. BLUE_)"),
    Setting(
        "canary_steps",
        "array",
        "canary: percentages of the traffic the new version gets, step by step, ending at 100",
        default=[10, 50, 100],
        items="integer",
    ),
    Setting(
        "canary_observe_seconds",
        "number",
        "canary: seconds each step is watched in OIC monitoring",
        default=300,
        minimum=0,
    ),
    Setting(
        "canary_max_error_rate",
        "number",
        "canary: the highest error rate (0 to 1) the new version may show in a step",
        default=0.05,
        minimum=0,
    ),
    Setting(
        "canary_min_messages",
        "integer",
        "canary: messages the new version must handle in a step for its error rate to count",
        default=20,
        minimum=0,
    ),
    Setting(
        "activation_timeout", "number", "Seconds to wait for ACTIVATED before failing", default=600, minimum=1
    ),
    Setting(
        "activation_poll_interval",
        "number",
        "Longest pause between activation status reads (the first after 0.1 s, then a quarter of the time waited so far)",
        default=2,
        minimum=0.01,
    ),
    Setting(
        "validate_connections",
        "boolean",
        "Test connections after updating them (activation needs a passing test)",
        default=True,
    ),
    Setting(
        "archive_directory",
        "string",
        "Directory where archive_path/file_path resolve; nothing outside it is read",
    ),
    Setting(
        "streams",
        "array",
        f"Deploy only these streams (of {', '.join(STREAMS)}); others are skipped and counted",
    ),
    Setting("dry_run", "boolean", "Print the plan, write nothing", default=False),
    Setting(
        "plan_out",
        "string",
        "Write this run's plan (each step, its reason, the OIC facts it rests on; no secret) to this file "
        "and write nothing to OIC",
    ),
    Setting(
        "plan",
        "string",
        "Apply the plan saved with plan_out, exactly: refused before any write, naming each artifact, "
        "when the input or OIC changed since",
    ),
    Setting(
        "check_drift",
        "boolean",
        "Read no input: compare what the ledger recorded with OIC and report each artifact changed behind "
        "the tool's back (exit 3 when any)",
        default=False,
    ),
    Setting(
        "restore_run",
        "string",
        "Read no input: put back what that past run (its run id) replaced or changed, from its backups and "
        "journal",
    ),
    Setting(
        "restore_partial",
        "boolean",
        "With restore_run: restore what can be and name the rest, instead of refusing when a backup is "
        "gone or a later run changed the same artifact",
        default=False,
    ),
    Setting(
        "validate_only",
        "boolean",
        "Validate input and archives offline; contact nothing but the token endpoint",
        default=False,
    ),
    Setting("rollback_on_failure", "boolean", "Undo this run's changes when a step fails", default=True),
    Setting(
        "max_concurrency",
        "integer",
        "API requests in flight at once (activation waits hold none)",
        default=4,
        minimum=1,
    ),
    Setting("audit_log", "string", "Path of the JSONL audit trail (one event per action, never a secret)"),
    Setting(
        "state_path",
        "string",
        "Deployment ledger (JSON) that makes re-runs idempotent and notices drift; the run's journals and "
        "lock live beside it. A local file, or an object in storage every runner reaches "
        "(s3://bucket/prefix/ledger.json; any fsspec URL whose storage takes conditional writes)",
    ),
    Setting(
        "backup_directory",
        "string",
        "Where rollback keeps exported archives (default: a temp folder): a local folder, or object storage "
        "every worker reaches (s3://bucket/prefix with the s3 extra, also Oracle Object Storage's S3 "
        "endpoint; any fsspec URL; in Airflow s3://conn_id@bucket/prefix takes the endpoint and keys from "
        "that connection); a local one also holds the journals without state_path",
    ),
    Setting("backup_retention", "integer", "Runs whose backups and journals are kept", default=5, minimum=1),
    Setting("deployment_prefix", "string", "Prefix for integration codes (blue-green: GREEN_)"),
    Setting(
        "deploy_hooks",
        "array",
        "Callables (package.module:function) called as hook(event, artifact) with event pre_deploy before "
        "the run's first write (one that raises refuses its artifact, and the run) and post_deploy after "
        "each artifact's write",
    ),
    Setting(
        "deploy_hook_timeout",
        "number",
        "Seconds a deploy hook may take; one still running is logged after 10 s and counts as failed "
        "(pre_deploy: the run is refused) when this runs out",
        default=60,
        minimum=1,
    ),
    Setting(
        "allow_literal_secrets",
        "boolean",
        "Accept a literal value for a PASSWORD-typed connection property instead of a ${VAR} placeholder",
        default=False,
    ),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}


def default(name: str) -> Any:
    """The declared default of a setting."""
    return BY_NAME[name].default


def settings_table() -> str:
    """The Markdown reference of every setting (docs/settings.md)."""
    rows = ["| setting | type | default | meaning |", "| --- | --- | --- | --- |"]
    for s in SETTINGS:
        kind = " \\| ".join(f"`{c}`" for c in s.choices) if s.choices else s.type
        marks = [word for word, on in (("required", s.required), ("secret", s.secret)) if on]
        shown = (
            ""
            if s.default is None
            else f"`{str(s.default).lower() if isinstance(s.default, bool) else s.default}`"
        )
        meaning = s.description.replace("|", "\\|") + (f" ({', '.join(marks)})" if marks else "")
        rows.append(f"| `{s.name}` | {kind} | {shown} | {meaning} |")
    return "\n".join(rows) + "\n"
