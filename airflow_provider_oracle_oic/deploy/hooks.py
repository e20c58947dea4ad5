"""Deploy hooks: callables told about each artifact before it is written and after (`deploy_hooks`).

Each is called as `hook(event, artifact)`: `event` is `"pre_deploy"` or `"post_deploy"`, `artifact` the
step's public summary (`kind`, `id`, `artifact`, `action`, and after the step `outcome` and `detail`).
Every `pre_deploy` call happens once the run is planned and before its first write: one that raises
refuses its artifact (with the hook's message), and so the whole run, before anything is written. A
`post_deploy` that raises is reported as a warning; the write it follows has happened.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from .plan import WRITES, Action, Plan, Step
from .result import ArtifactResult
from .settings import SettingsError

log = logging.getLogger(__name__)
DeployHook = Callable[[str, dict[str, Any]], Any]


class HookReferenceError(SettingsError):
    """A `deploy_hooks` entry that does not name an importable callable."""


def resolve(references: Sequence[str]) -> list[DeployHook]:
    """The callables `module:attribute` references name; `HookReferenceError` naming a bad one."""
    hooks = []
    for reference in references:
        module_name, _, attribute = reference.partition(":")
        if not module_name or not attribute:
            raise HookReferenceError(
                f"deploy_hooks entry '{reference}' must look like package.module:function"
            )
        try:
            target: Any = importlib.import_module(module_name)
            for part in attribute.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as exc:
            raise HookReferenceError(f"deploy_hooks entry '{reference}' cannot be imported ({exc})") from None
        if not callable(target):
            raise HookReferenceError(f"deploy_hooks entry '{reference}' is not callable")
        hooks.append(target)
    return hooks


def summary(step: Step) -> dict[str, Any]:
    """What a hook is told of a step (never a secret: ids, kinds and actions only)."""
    return {
        "kind": step.spec.kind.singular,
        "id": step.ref,
        "artifact": step.artifact,
        "action": step.action.value,
    }


def before(hooks: Sequence[DeployHook], plan: Plan) -> None:
    """Call every `pre_deploy` hook for every write of the plan; a raising hook refuses that step."""
    for step in plan.steps:
        if step.action not in WRITES:
            continue
        for hook in hooks:
            try:
                hook("pre_deploy", summary(step))
            except Exception as exc:  # a hook is user code: whatever it raises refuses the artifact
                step.action = Action.REFUSE
                step.reason = f"pre_deploy hook {_name(hook)} refused it: {exc}"
                break


def after(hooks: Sequence[DeployHook], step: Step, result: ArtifactResult) -> str | None:
    """Call every `post_deploy` hook for a step that wrote; a warning for each that raised."""
    if step.action not in WRITES or not hooks:
        return None
    told = {**summary(step), "outcome": result.outcome.value, "detail": result.detail}
    failed = []
    for hook in hooks:
        try:
            hook("post_deploy", dict(told))
        except Exception as exc:  # the write has happened; the hook's failure is reported, not fatal
            log.warning("post_deploy hook %s failed for %s: %s", _name(hook), step.artifact, exc)
            failed.append(f"post_deploy hook {_name(hook)} failed for {step.artifact}: {exc}")
    return "; ".join(failed) or None


def _name(hook: DeployHook) -> str:
    return f"{getattr(hook, '__module__', '?')}:{getattr(hook, '__qualname__', repr(hook))}"
