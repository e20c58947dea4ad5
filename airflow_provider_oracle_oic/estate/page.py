"""The estate as one HTML page: a row per artifact, a column per instance; each cell its live version,
status, a drift mark and the run that last deployed it (linked to that run in Airflow). No script and
no external resource; every value escaped."""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode

from .model import Cell, Estate, Instance, Provenance, Row

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.2rem; color: #1d232a; }
h1 { font-size: 1.25rem; margin: 0 0 .6rem; } form { margin: .4rem 0 1rem; }
input { padding: .25rem .4rem; } table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border: 1px solid #dde2e7; }
th { background: #f3f5f7; } th small { font-weight: normal; color: #6b7580; display: block; }
.kind { color: #6b7580; font-size: .8rem; } .version { font-weight: 600; }
.ACTIVATED { color: #2d7d46; } .CONFIGURED, .INPROGRESS { color: #8a6d00; }
.FAILEDACTIVATION, .deleted { color: #b3261e; }
.drift { color: #fff; background: #b3261e; border-radius: .25rem; padding: 0 .35rem; font-size: .8rem; }
.differs { background: #fff4d6; } .unreachable { color: #b3261e; font-weight: 600; }
.deployed { color: #6b7580; font-size: .8rem; display: block; } .empty { color: #9aa3ab; }
"""


def run_link(provenance: Provenance) -> str | None:
    """The Airflow UI page of the task instance that deployed (None outside Airflow)."""
    if not (provenance.dag_id and provenance.dag_run_id and provenance.task_id):
        return None
    path = (
        f"/dags/{quote(provenance.dag_id, safe='')}/runs/{quote(provenance.dag_run_id, safe='')}"
        f"/tasks/{quote(provenance.task_id, safe='')}"
    )
    return path + (f"/mapped/{provenance.map_index}" if provenance.map_index not in ("", "-1") else "")


def _deployed(provenance: Provenance | None) -> str:
    if provenance is None or not provenance.deployed_at:
        return ""
    when = escape(provenance.deployed_at.replace("T", " ").replace("+00:00", " UTC"))
    link = run_link(provenance)
    if link is None:
        by = f" by run {escape(provenance.run_id)}" if provenance.run_id else ""
        return f"<span class='deployed'>deployed {when}{by}</span>"
    label = escape(f"{provenance.dag_id} / {provenance.dag_run_id}")
    return (
        f"<span class='deployed'>deployed {when} by <a href='{escape(link)}' target='_top'>{label}</a></span>"
    )


def _cell(cell: Cell | None, differs: bool) -> str:
    if cell is None:
        return "<td class='empty'>—</td>"
    drift = f" <span class='drift' title='{escape(cell.drift)}'>drift</span>" if cell.drift else ""
    reason = f"<small>{escape(cell.drift)}</small>" if cell.drift else ""
    status = " ".join(f"<span class='{escape(s)}'>{escape(s)}</span>" for s in cell.status.split("/") if s)
    version = f"<span class='version'>{escape(cell.version)}</span> " if cell.version else ""
    return (
        f"<td class='{'differs' if differs else ''}'>{version}{status}{drift}{reason}"
        f"{_deployed(cell.provenance)}</td>"
    )


def _header(instance: Instance, error: str | None) -> str:
    conns = escape(", ".join(instance.conn_ids))
    state = f"<span class='unreachable'>{escape(error)}</span>" if error else ""
    return f"<th>{escape(instance.label)}<small>{conns}</small>{state}</th>"


def _row(row: Row, keys: list[str], unreachable: set[str]) -> str:
    differs = row.differs(keys)
    cells = "".join(
        "<td class='unreachable'>unknown</td>"
        if key in unreachable
        else _cell(row.cells.get(key), key in differs)
        for key in keys
    )
    return (
        f"<tr data-kind='{row.kind.singular}'><td><span class='kind'>{row.kind.singular}</span><br>"
        f"<span class='name'>{escape(row.name)}</span></td>{cells}</tr>"
    )


def render(estate: Estate, name: str = "", instance: str = "", run_view: str = "") -> str:
    """The page; `name` and `instance` are the filters shown in its form."""
    keys = [i.key for i in estate.instances]
    unreachable = {k for k in keys if estate.states[k].error is not None}
    header = "".join(_header(i, estate.states[i.key].error) for i in estate.instances)
    body = "".join(_row(r, keys, unreachable) for r in estate.rows) or (
        f"<tr><td colspan='{len(keys) + 1}' class='empty'>no artifact matches</td></tr>"
    )
    read = sorted({s.read_at for s in estate.states.values() if s.read_at})
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>OIC estate</title>"
        f"<style>{STYLE}</style></head><body><h1>OIC estate</h1>"
        "<form method='get'><input name='name' placeholder='artifact name' "
        f"value='{escape(name)}'> <input name='instance' placeholder='instance or connection' "
        f"value='{escape(instance)}'> <button type='submit'>Filter</button>"
        f" <a href='?{urlencode({'name': name, 'instance': instance, 'refresh': 1})}'>read again</a>"
        " <a href='?'>clear</a></form>"
        f"<table><tr><th>artifact</th>{header}</tr>{body}</table>"
        f"<p class='deployed'>{len(keys)} instance(s), {len(estate.rows)} artifact(s); read "
        f"{escape(read[-1] if read else '')}; a highlighted cell differs from its left neighbour. {run_view}</p>"
        "</body></html>\n"
    )
