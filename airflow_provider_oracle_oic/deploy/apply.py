"""Apply a plan level by level with bounded concurrency, journaling how to undo each change."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..oic import OICClient, OICError, OICNotFoundError
from ..oic.models import Integration
from ..oic.resources.integrations import Integrations
from ..oic.resources.packages import Packages
from .journal import Backups, Journal
from .observe import Observed
from .plan import ACTIVATION_LEVEL, LEVEL_NAMES, WRITES, Action, Plan, Step
from .result import ArtifactResult, Outcome
from .settings import DeploySettings
from .specs import (
    CertificateSpec,
    ConnectionSpec,
    IntegrationSpec,
    LibrarySpec,
    LookupSpec,
    PackageSpec,
    Value,
    label,
)

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What every step needs."""

    client: OICClient
    settings: DeploySettings
    observed: Observed
    journal: Journal
    backups: Backups


def _clear(values: dict[str, Value]) -> dict[str, str]:
    return {name: value.text for name, value in values.items()}


class Applier:
    """Runs the write steps of a plan; stops after the first level with a failure."""

    def __init__(self, context: Context, on_result: Callable[[Step, ArtifactResult], None]) -> None:
        self.ctx = context
        self.client = context.client
        self.on_result = on_result

    def run(self, plan: Plan) -> list[ArtifactResult]:
        results: list[ArtifactResult] = []
        failed = False
        for level in sorted({s.level for s in plan.steps}):
            steps = plan.level(level)
            if failed:
                results.extend(
                    self._result(s, Outcome.NOT_RUN, 0.0, "an earlier level failed") for s in steps
                )
                continue
            log.info("Deploying level %d (%s): %d step(s)", level, LEVEL_NAMES[level], len(steps))
            with ThreadPoolExecutor(
                self.ctx.settings.max_concurrency, thread_name_prefix="oic-deploy"
            ) as pool:
                level_results = list(pool.map(self._run_step, steps))
            results.extend(level_results)
            failed = any(r.outcome == Outcome.FAILED for r in level_results)
        return results

    def _result(
        self, step: Step, outcome: Outcome, duration: float, detail: str | None = None
    ) -> ArtifactResult:
        result = ArtifactResult(
            step.artifact,
            step.spec.kind.singular,
            step.target,
            step.action.value,
            outcome,
            step.reason,
            round(duration, 3),
            detail,
            step.replaces_active,
        )
        self.on_result(step, result)
        return result

    def _run_step(self, step: Step) -> ArtifactResult:
        if step.action not in WRITES:
            return self._result(step, Outcome.SKIPPED, 0.0)
        started = time.monotonic()
        try:
            detail = self._perform(step)
        except OICError as exc:
            log.error("%s: %s failed: %s", step.artifact, step.action.value, exc)
            return self._result(step, Outcome.FAILED, time.monotonic() - started, str(exc))
        log.info("%s: %s done", step.artifact, step.action.value)
        return self._result(step, Outcome.APPLIED, time.monotonic() - started, detail)

    def _perform(self, step: Step) -> str | None:
        spec = step.spec
        if step.level == ACTIVATION_LEVEL:
            return self._activate(step)
        if isinstance(spec, CertificateSpec):
            return self._certificate(step, spec)
        if isinstance(spec, LibrarySpec):
            return self._library(step, spec)
        if isinstance(spec, LookupSpec):
            return self._lookup(step, spec)
        if isinstance(spec, PackageSpec):
            return self._archive(
                step, spec, self.client.packages, ".par", self._remove_package, self._restore_package
            )
        if isinstance(spec, IntegrationSpec):
            return self._archive(
                step,
                spec,
                self.client.integrations,
                ".iar",
                self._remove_integration,
                self._restore_integration,
            )
        assert isinstance(spec, ConnectionSpec)
        return self._connection(step, spec)

    def _wait(self, ident: str, status: str) -> None:
        self.client.integrations.wait_for_status(
            ident, status, self.ctx.settings.activation_timeout, self.ctx.settings.activation_poll_interval
        )

    def _deactivate(self, ident: str) -> None:
        self.client.integrations.deactivate(ident)
        self._wait(ident, "CONFIGURED")

    def _reactivate_as(self, before: Integration) -> None:
        """Activate again with the flags it had, going down first if it is up."""
        if self.client.integrations.activation_status(before.id) == "ACTIVATED":
            self._deactivate(before.id)
        self.client.integrations.activate(
            before.id, before.tracing, before.payload_tracing, before.record_enabled
        )
        self._wait(before.id, "ACTIVATED")

    def _reactivate(self, ident: str) -> None:
        self.client.integrations.activate(ident)
        self._wait(ident, "ACTIVATED")

    def _forget_created_connections(self, connections: tuple[str, ...], owner: str) -> None:
        for conn in connections:
            if self.ctx.observed.connections.get(conn) is None:
                self.ctx.journal.add(
                    f"delete connection {conn} created by the import of {owner}",
                    lambda conn=conn: self._delete_quietly(self.client.connections.delete, conn),
                )

    @staticmethod
    def _delete_quietly(delete: Callable[[str], None], ident: str) -> None:
        with contextlib.suppress(OICNotFoundError):
            delete(ident)

    def _archive(
        self,
        step: Step,
        spec: IntegrationSpec | PackageSpec,
        family: Integrations | Packages,
        suffix: str,
        remove: Callable[[str], None],
        restore: Callable[[str, Path], None],
    ) -> str | None:
        """Import a new archive, or back up, deactivate what must be, and replace; journal the way back."""
        journal, what = self.ctx.journal, label(spec)
        if step.action == Action.CREATE:
            family.import_archive(spec.archive.path)
            journal.add(f"delete {what}", lambda: remove(spec.key))
            self._forget_created_connections(spec.connections, what)
            return None
        backup = family.export(spec.key, self.ctx.backups.path(f"{spec.key}{suffix}"))
        for ident in step.deactivate_first:
            self._deactivate(ident)
            journal.add(f"reactivate integration {ident}", lambda ident=ident: self._reactivate(ident))
        family.replace_archive(spec.archive.path)
        journal.add(f"restore {what} from {backup.path}", lambda: restore(spec.key, backup.path))
        return f"previous archive backed up to {backup.path}"

    def _remove_integration(self, ident: str) -> None:
        current = self.client.integrations.find(ident)
        if current is None:
            return
        if current.status == "ACTIVATED":
            self._deactivate(ident)
        self.client.integrations.delete(ident)

    def _restore_integration(self, ident: str, path: Path) -> None:
        current = self.client.integrations.get(ident)
        if current.status == "ACTIVATED":
            self._deactivate(ident)
        self.client.integrations.replace_archive(path)

    def _deactivate_members(self, name: str) -> None:
        for member in self.client.packages.get(name).integrations:
            if member.status == "ACTIVATED":
                self._deactivate(member.id)

    def _remove_package(self, name: str) -> None:
        if self.client.packages.find(name) is None:
            return
        self._deactivate_members(name)
        self.client.packages.delete(name)

    def _restore_package(self, name: str, path: Path) -> None:
        self._deactivate_members(name)
        self.client.packages.replace_archive(path)

    def _lookup(self, step: Step, spec: LookupSpec) -> str | None:
        lookups, journal = self.client.lookups, self.ctx.journal
        if step.action == Action.CREATE:
            lookups.create(spec.name, spec.columns, spec.rows, spec.description)
            journal.add(f"delete lookup {spec.name}", lambda: self._delete_quietly(lookups.delete, spec.name))
            return None
        before = self.ctx.observed.lookups[spec.name]
        assert before is not None
        lookups.update(spec.name, spec.columns, spec.rows, spec.description)
        journal.add(
            f"restore lookup {spec.name} ({len(before.rows)} rows)",
            lambda: lookups.update(before.name, before.columns, before.rows, before.description),
        )
        return None

    def _library(self, step: Step, spec: LibrarySpec) -> str | None:
        libraries, journal = self.client.libraries, self.ctx.journal
        if step.action == Action.CREATE:
            libraries.register(
                spec.archive.path, spec.code, spec.version, spec.name, spec.type, spec.description
            )
            journal.add(
                f"delete library {spec.key}", lambda: self._delete_quietly(libraries.delete, spec.key)
            )
            return None
        current = self.ctx.observed.libraries[spec.key]
        assert current is not None
        backup = libraries.export(spec.key, self.ctx.backups.path(f"{spec.key}.lib"))
        libraries.replace(spec.key, spec.archive.path)
        journal.add(
            f"restore library {spec.key} from {backup.path}",
            lambda: libraries.replace(spec.key, _named(backup.path, spec.archive.file_name)),
        )
        return f"previous file backed up to {backup.path}"

    def _certificate(self, step: Step, spec: CertificateSpec) -> str | None:
        certificates, journal = self.client.certificates, self.ctx.journal
        if step.action == Action.REPLACE:
            certificates.delete(spec.name)
            journal.cannot_restore(
                f"certificate {spec.name}: OIC cannot export the replaced certificate; "
                "upload the previous one again if needed"
            )
        secrets = _clear(spec.secrets)
        certificates.upload(
            spec.archive.path,
            spec.name,
            spec.type,
            spec.category,
            secrets.get("keystorePassword"),
            secrets.get("keyPasswords"),
            secrets.get("passPhrase"),
        )
        if step.action == Action.CREATE:
            journal.add(
                f"delete certificate {spec.name}",
                lambda: self._delete_quietly(certificates.delete, spec.name),
            )
        return None

    def _connection(self, step: Step, spec: ConnectionSpec) -> str | None:
        connections, journal = self.client.connections, self.ctx.journal
        before = self.ctx.observed.connections.get(spec.key)
        if step.action == Action.UPDATE:
            connections.update(
                spec.key,
                connection_properties=_clear(spec.connection_properties) or None,
                security_properties=_clear(spec.security_properties) or None,
                security_policy=spec.security_policy,
                agent_group_id=spec.agent_group_id,
            )
            if before is not None:
                journal.add(
                    f"restore the non-secret properties of connection {spec.key}",
                    lambda: self._restore_connection(before),
                )
                if spec.security_properties:
                    journal.cannot_restore(
                        f"connection {spec.key}: its previous secret values cannot be read back "
                        "from OIC; re-enter them if the rollback matters"
                    )
        if spec.test or step.action == Action.TEST:
            tested = connections.test(spec.key)
            return f"test {tested.test_status}"
        return None

    def _restore_connection(self, before) -> None:
        self.client.connections.update(
            before.id,
            connection_properties={p.name: p.value for p in before.connection_properties if not p.withheld},
            security_properties={p.name: p.value for p in before.security_properties if not p.withheld}
            or None,
            security_policy=before.security_policy,
            agent_group_id=before.agent_group_id,
        )
        if before.status == "CONFIGURED":
            self.client.connections.test(before.id)

    def _activate(self, step: Step) -> str | None:
        spec = step.spec
        flags = {}
        if isinstance(spec, IntegrationSpec):
            flags = {
                "tracing": spec.tracing,
                "payload_tracing": spec.payload_tracing,
                "record_enabled": spec.record_enabled,
            }
        before = self.ctx.observed.integrations.get(step.target)
        if before is not None and step.target in step.deactivate_first:
            self._deactivate(step.target)
            self.ctx.journal.add(
                f"reactivate integration {step.target} with its previous flags",
                lambda: self._reactivate_as(before),
            )
        self.client.integrations.activate(step.target, **flags)
        self._wait(step.target, "ACTIVATED")
        if step.target not in step.deactivate_first and (before is None or before.status != "ACTIVATED"):
            self.ctx.journal.add(
                f"deactivate integration {step.target}", lambda: self._deactivate(step.target)
            )
        if step.replaces_active:
            replaced = step.replaces_active
            self.ctx.journal.add(f"reactivate integration {replaced}", lambda: self._reactivate(replaced))
            return f"replaced {replaced} (same major version)"
        return None


def _named(path, file_name: str):
    """A copy of a backup under the file name OIC expects (its suffix tells .jar from .js)."""
    target = path.with_name(file_name)
    if not target.exists():
        target.write_bytes(path.read_bytes())
    return target
