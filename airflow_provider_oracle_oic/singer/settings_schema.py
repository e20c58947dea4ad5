"""The target's settings as JSON Schema, produced from their one declaration (`deploy/model/setting_specs.py`)."""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from ..deploy.model.setting_specs import SETTINGS, Setting

TYPES: dict[str, Any] = {
    "string": th.StringType,
    "boolean": th.BooleanType,
    "integer": th.IntegerType,
    "number": th.NumberType,
}


def _property(setting: Setting) -> th.Property:
    options: dict[str, Any] = {"description": setting.description}
    if setting.default is not None:
        options["default"] = setting.default
    if setting.choices:
        options["allowed_values"] = list(setting.choices)
    kind = th.ArrayType(TYPES[setting.items]) if setting.type == "array" else TYPES[setting.type]
    return th.Property(setting.name, kind, required=setting.required, secret=setting.secret, **options)


CONFIG_SCHEMA = th.PropertiesList(*(_property(s) for s in SETTINGS)).to_dict()
