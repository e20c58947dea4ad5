"""Deploy hooks: callables told about each artifact before it is written and after (`deploy_hooks`).

Each is called as `hook(event, artifact)`: `event` is `"pre_deploy"` or `"post_deploy"`, `artifact` the
step's public summary (`kind`, `id`, `artifact`, `action`, and after the step `outcome` and `detail`).
Every `pre_deploy` call happens once the run is planned and before its first write: one that raises
refuses its artifact (with the hook's message), and so the whole run, before anything is written (exit
2). A `post_deploy` that raises is reported as a warning; the write it follows has happened. A hook that
has not returned within `deploy_hook_timeout` seconds counts as one that raised.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from ..model.issues import Issue, Where
from ..model.result import ArtifactResult
from ..model.settings import SettingsError
from ..plan.planner import WRITES, Plan, Step

log = logging.getLogger(__name__)
DeployHook = Callable[[str, dict[str, Any]], Any]
# A hook still running after this long (or half its timeout) is said to be slow, once.
SLOW_HOOK_SECONDS = 10.0


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


class HookTimeout(Exception):
    """A hook that did not return within `deploy_hook_timeout`."""


def call(hook: DeployHook, event: str, artifact: dict[str, Any], timeout: float) -> None:
    """Call `hook` in a thread of its own; say once when it is slow, raise `HookTimeout` when it does
    not return within `timeout` seconds (its thread is left to end on its own: Python cannot stop it)."""
    done = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            hook(event, artifact)
        except BaseException as exc:
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name=f"oic-{event}-hook", daemon=True).start()
    slow = min(SLOW_HOOK_SECONDS, timeout / 2)
    if not done.wait(slow):
        log.warning(
            "%s hook %s is still running for %s after %.0f s", event, _name(hook), artifact["artifact"], slow
        )
        if not done.wait(timeout - slow):
            raise HookTimeout(f"did not return within {timeout:g} s (deploy_hook_timeout)")
    if failure:
        raise failure[0]


def before(hooks: Sequence[DeployHook], plan: Plan, timeout: float) -> list[Issue]:
    """Call every `pre_deploy` hook for every write of the plan; one issue per artifact a hook refused."""
    refused = []
    for step in plan.steps:
        if step.action not in WRITES:
            continue
        for hook in hooks:
            try:
                call(hook, "pre_deploy", summary(step), timeout)
            except Exception as exc:  # a hook is user code: whatever it raises refuses the artifact
                refused.append(
                    Issue(step.artifact, "pre_deploy", f"hook {_name(hook)} refused it: {exc}", Where.HOOK)
                )
                break
    return refused


def after(hooks: Sequence[DeployHook], step: Step, result: ArtifactResult, timeout: float) -> str | None:
    """Call every `post_deploy` hook for a step that wrote; a warning for each that raised."""
    if step.action not in WRITES or not hooks:
        return None
    told = {**summary(step), "outcome": result.outcome.value, "detail": result.detail}
    failed = []
    for hook in hooks:
        try:
            call(hook, "post_deploy", dict(told), timeout)
        except Exception as exc:  # the write has happened; the hook's failure is reported, not fatal
            log.warning("post_deploy hook %s failed for %s: %s", _name(hook), step.artifact, exc)
            failed.append(f"post_deploy hook {_name(hook)} failed for {step.artifact}: {exc}")
    return "; ".join(failed) or None


def _name(hook: DeployHook) -> str:
    return f"{getattr(hook, '__module__', '?')}:{getattr(hook, '__qualname__', repr(hook))}"
