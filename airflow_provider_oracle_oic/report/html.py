"""A run's result as one self-contained HTML page: every step with its action, reason and outcome,
what it changes (lookup rows, connection properties) as a diff, what was rolled back and what could not
be restored. No script, no external resource (it opens with the network off); every value escaped;
the result holds no secret, so neither does the page."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from ..deploy.model.result import ArtifactResult, DeploymentResult

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1d232a; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.6rem; }
.badge { padding: .1rem .5rem; border-radius: .3rem; color: #fff; font-weight: 600; }
.ok { background: #2d7d46; } .failed { background: #b3261e; } .paused { background: #8a6d00; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top;
 padding: .3rem .5rem; border-bottom: 1px solid #dde2e7; } th { background: #f3f5f7; }
td.outcome { font-weight: 600; } .applied, .planned { color: #2d7d46; } .failed-row { color: #b3261e; }
.rolled_back, .not_run, .waiting { color: #8a6d00; } .skipped { color: #6b7580; }
pre { margin: .3rem 0; padding: .4rem .6rem; background: #f6f8fa; border-radius: .3rem; }
.add { color: #2d7d46; } .del { color: #b3261e; } ul { margin: .3rem 0; }
"""


def _diff(lines: list[str]) -> str:
    def line(text: str) -> str:
        kind = "add" if text.startswith("+ ") else "del" if text.startswith("- ") else ""
        return f'<span class="{kind}">{escape(text)}</span>' if kind else escape(text)

    return "<pre>" + "\n".join(line(text) for text in lines) + "</pre>"


def _step(row: ArtifactResult) -> str:
    outcome = row.outcome.value
    kind = "failed-row" if outcome == "failed" else outcome
    detail = escape(row.detail or "")
    changes = f"<details open><summary>changes</summary>{_diff(row.changes)}</details>" if row.changes else ""
    return (
        f"<tr><td>{escape(row.artifact)}</td><td>{escape(row.action)}</td>"
        f'<td class="outcome {kind}">{escape(outcome)}</td><td>{escape(row.reason)}{changes}</td>'
        f"<td>{detail}</td><td>{row.duration_s:.2f}</td></tr>"
    )


def _items(title: str, items: list[str]) -> str:
    if not items:
        return ""
    return f"<h2>{escape(title)}</h2><ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def render(result: DeploymentResult, where: str = "") -> str:
    """The page for `result` (`where`: the OIC it ran against, shown in the heading)."""
    state = "paused" if result.paused_for else ("ok" if result.ok else "failed")
    title = f"target-oracle-oic {result.mode} run {result.run_id}"
    counts = ", ".join(f"{n} {k}" for k, n in sorted(result.counts().items())) or "no step"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)} <span class='badge {state}'>{state.upper()}</span></h1>",
        f"<p>{escape(where)}{' · ' if where else ''}{escape(counts)} · written "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}</p>",
    ]
    for heading, found in result.issue_groups():
        parts.append(_items(heading, [str(i) for i in found]))
    if result.error:
        parts.append(f"<h2>The run stopped after it had written to OIC</h2><p>{escape(result.error)}</p>")
    if result.paused_for:
        parts.append(f"<p>Paused: {escape(result.paused_for)}.</p>")
    if result.results:
        parts.append(
            "<h2>Steps</h2><table><tr><th>artifact</th><th>action</th><th>outcome</th>"
            "<th>reason and changes</th><th>detail</th><th>seconds</th></tr>"
            + "".join(_step(r) for r in result.results)
            + "</table>"
        )
    parts.append(
        _items(
            "Rolled back",
            [
                f"{'ok' if u.ok else 'FAILED'}: {u.description}" + (f" ({u.detail})" if u.detail else "")
                for u in result.undo
            ],
        )
    )
    parts.append(_items("Not in its pre-run state (could not be restored)", result.not_restorable))
    parts.append(_items("Warnings", result.warnings))
    parts.append(_items("Notes", result.notes))
    parts.append(
        _items("Skipped streams", [f"{n} record(s) of {s}" for s, n in result.skipped_streams.items()])
    )
    parts.append("</body></html>\n")
    return "".join(parts)
