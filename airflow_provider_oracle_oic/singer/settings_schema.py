"""The target's settings as JSON Schema, produced from their one declaration (`deploy/model/setting_specs.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from singer_sdk import typing as th

from ..deploy.model.setting_specs import SETTINGS
from ..oic.settings import Setting

TYPES: dict[str, Any] = {
    "string": th.StringType,
    "boolean": th.BooleanType,
    "integer": th.IntegerType,
    "number": th.NumberType,
}


def properties(settings: Iterable[Setting]) -> list[th.Property]:
    """singer-sdk properties of declared settings."""
    return [_property(s) for s in settings]


def _property(setting: Setting) -> th.Property:
    options: dict[str, Any] = {"description": setting.description}
    if setting.default is not None:
        options["default"] = setting.default
    if setting.choices:
        options["allowed_values"] = list(setting.choices)
    kind = th.ArrayType(TYPES[setting.items]) if setting.type == "array" else TYPES[setting.type]
    return th.Property(setting.name, kind, required=setting.required, secret=setting.secret, **options)


CONFIG_SCHEMA = th.PropertiesList(*properties(SETTINGS)).to_dict()
