"""The provider's pages in the Airflow UI (docs/estate.md): the OIC estate under Browse, and the run
view of a deploy task (its "OIC run report" link). Served by the api-server behind Airflow's own
authentication; a user sees only the OIC instances whose connections they may read, and the run view of
DAGs whose XComs they may read. Read-only: no page writes to Airflow or to OIC."""

from __future__ import annotations

import json
from typing import Annotated, Any

from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..links import PLUGIN_PREFIX as PREFIX

app = FastAPI(title="Oracle Integration Cloud", docs_url=None, redoc_url=None, openapi_url=None)


async def current_user(request: Request) -> Any:
    """The signed-in Airflow user (bearer token, else the UI's session cookie), as the REST API finds
    it; 401 without one. Airflow's security module is imported here, not with the plugin: every Airflow
    process loads plugins, and that import costs seconds."""
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.security import HTTPAuthorizationCredentials

    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    bearer = HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip()) if token.strip() else None
    return await get_user(request, None, bearer)


UserDep = Annotated[Any, Depends(current_user)]
_READER: Any = None


def _reader() -> Any:
    from ..estate.reader import EstateReader

    global _READER
    if _READER is None:
        _READER = EstateReader()
    return _READER


def _instances(user: Any) -> tuple[list[Any], dict[str, Any]]:
    """The OIC instances of the `oracle_oic` connections `user` may read, and each one's client settings."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.models import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from ..estate.model import Instance
    from ..hooks.oic import config_from_connection

    allowed = get_auth_manager().get_authorized_connections(user=user, method="GET")
    found: dict[tuple[str, str | None], dict[str, Any]] = {}
    with create_session() as session:
        for conn in session.scalars(select(Connection).where(Connection.conn_type == "oracle_oic")):
            if conn.conn_id not in allowed:
                continue
            config = config_from_connection(conn)
            found.setdefault((config.base_url.rstrip("/"), config.integration_instance), {})[conn.conn_id] = (
                config
            )
    # One instance per host and integration instance, read with the settings of its first connection.
    instances = sorted(
        (Instance(base, instance, tuple(sorted(configs))) for (base, instance), configs in found.items()),
        key=lambda i: i.conn_ids,
    )
    return instances, {i.key: found[(i.base_url, i.integration_instance)][i.conn_ids[0]] for i in instances}


def _ledger_of(instance: Any) -> dict[str, object]:
    """The ledger (of the instance's connections) holding the most entries for it; read without the
    secrets masker (the page shows none of its values)."""
    from airflow.models import Variable
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from ..operators.ledger_store import default_ledger_variable

    best: dict[str, object] = {}
    most = 0
    with create_session() as session:
        for conn_id in instance.conn_ids:
            row = session.scalar(select(Variable).where(Variable.key == default_ledger_variable(conn_id)))
            try:
                data = json.loads(row.val) if row is not None else None
            except (TypeError, ValueError):
                data = None  # a damaged ledger shows no provenance; the deploy task names the damage
            if not isinstance(data, dict) or not isinstance(data.get("instances"), dict):
                continue
            entries = data["instances"].get(instance.key)
            if isinstance(entries, dict) and len(entries) > most:
                best, most = data, len(entries)
    return best


def estate_for(user: Any, fresh: bool = False) -> Any:
    """The estate `user` may see (`fresh`: read every instance now, not from the short cache)."""
    from ..estate.model import build_estate

    instances, configs = _instances(user)
    states = _reader().read(instances, lambda i: configs[i.key], _ledger_of, fresh)
    return build_estate(instances, states)


@app.get("/estate", response_class=HTMLResponse)
def estate_page(user: UserDep, name: str = "", instance: str = "", refresh: bool = False) -> HTMLResponse:
    """The OIC estate page."""
    from ..estate.page import render

    return HTMLResponse(render(estate_for(user, refresh).filtered(name, instance), name, instance))


@app.get("/api/estate")
def estate_json(user: UserDep, name: str = "", instance: str = "", refresh: bool = False) -> JSONResponse:
    """The same matrix as JSON."""
    from dataclasses import asdict

    estate = estate_for(user, refresh).filtered(name, instance)
    return JSONResponse(
        {
            "instances": [
                {**asdict(i), "key": i.key, "label": i.label, "error": estate.states[i.key].error}
                for i in estate.instances
            ],
            "rows": [
                {"kind": r.kind.singular, "name": r.name, "cells": {k: asdict(c) for k, c in r.cells.items()}}
                for r in estate.rows
            ],
        }
    )


@app.get("/runs/{dag_id}/{dag_run_id}/{task_id}", response_class=HTMLResponse)
def run_page(
    user: UserDep, dag_id: str, dag_run_id: str, task_id: str, map_index: Annotated[int, Query()] = -1
) -> HTMLResponse:
    """A deploy task's result as the run report: steps, diffs, what was rolled back."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    from ..deploy.model.result import DeploymentResult
    from ..report.html import render

    allowed = get_auth_manager().is_authorized_dag(
        method="GET", access_entity=DagAccessEntity.XCOM, details=DagDetails(id=dag_id), user=user
    )
    if not allowed:
        raise HTTPException(403, "You may not read this DAG's XComs")
    with create_session() as session:
        value = session.scalar(
            select(XComModel.value).where(
                XComModel.dag_id == dag_id,
                XComModel.run_id == dag_run_id,
                XComModel.task_id == task_id,
                XComModel.map_index == map_index,
                XComModel.key == "return_value",
            )
        )
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, dict) or "results" not in data:
        raise HTTPException(404, f"{dag_id} / {dag_run_id} / {task_id} left no OIC run result (not run yet?)")
    return HTMLResponse(render(DeploymentResult.from_dict(data), f"{dag_id} / {dag_run_id} / {task_id}"))


class OracleOICPlugin(AirflowPlugin):
    """Registers the estate page and the run view with the Airflow UI."""

    name = "oracle_oic"
    fastapi_apps = [{"app": app, "url_prefix": PREFIX, "name": "OIC estate"}]
    external_views = [
        {
            "name": "OIC estate",
            "href": f"{PREFIX}/estate",
            "destination": "nav",
            "category": "browse",
            "url_route": "oic-estate",
        }
    ]
