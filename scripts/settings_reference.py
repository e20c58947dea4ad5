"""Write docs/settings.md, the settings of `meltano.yml` and the `--about` snapshot from the one
declaration of the settings (`make docs`): the client's in `oic/settings.py`, the target's in
`deploy/model/setting_specs.py`, the tap's own beside its streams."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from airflow_provider_oracle_oic.deploy.model.setting_specs import SETTINGS, settings_table
from airflow_provider_oracle_oic.oic.settings import CLIENT_SETTINGS, Setting
from airflow_provider_oracle_oic.singer import about

ROOT = Path(__file__).resolve().parents[1]
HEADER = """# target-oracle-oic settings

Every setting of `target-oracle-oic` (and of `SingerToOICOperator`'s `target_config`), as
`target-oracle-oic --about` also lists them. Produced from
`airflow_provider_oracle_oic/oic/settings.py` (the client's) and
`airflow_provider_oracle_oic/deploy/model/setting_specs.py` (the engine's) by `make docs`; a test fails
when this file, the JSON schema or `meltano.yml` disagree with that declaration.

"""
# Meltano has no kind for a fractional number: its `integer` is what its UI offers for one.
MELTANO_KINDS = {
    "string": "string",
    "boolean": "boolean",
    "integer": "integer",
    "number": "integer",
    "array": "array",
}


def document() -> str:
    return HEADER + settings_table()


def tap_settings() -> list[Setting]:
    """The tap's settings: the client's, then its own (read from its JSON schema)."""
    from airflow_provider_oracle_oic.singer.tap import TAP_SETTINGS

    client = {s.name for s in CLIENT_SETTINGS}
    own = [
        Setting(name, str(prop["type"][0]), str(prop.get("description", "")), prop.get("default"))
        for name, prop in TAP_SETTINGS["properties"].items()
        if name not in client
    ]
    return [*CLIENT_SETTINGS, *own]


def _label(setting: Setting) -> str:
    return setting.label or setting.name.replace("_", " ").capitalize()


def _value(value: Any) -> str:
    return json.dumps(value).replace(",", ", ") if isinstance(value, list | tuple) else json.dumps(value)


def meltano_settings(settings: list[Setting] | tuple[Setting, ...]) -> str:
    """The `settings:` entries of one plugin in meltano.yml."""
    lines = []
    for s in settings:
        kind = "password" if s.secret else "options" if s.choices else MELTANO_KINDS[s.type]
        lines += [f"    - name: {s.name}", f"      label: {_label(s)}", f"      kind: {kind}"]
        if s.secret:
            lines.append("      sensitive: true")
        if s.choices:
            lines.append("      options:")
            for choice in s.choices:
                lines += [f"      - label: {choice}", f"        value: {choice}"]
        if s.default is not None:
            lines.append(f"      value: {_value(s.default)}")
        lines.append(f"      description: {json.dumps(s.description, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def meltano_yml(text: str) -> str:
    """meltano.yml with the settings of tap-oracle-oic and target-oracle-oic as declared."""
    for plugin, settings in (("tap-oracle-oic", tap_settings()), ("target-oracle-oic", SETTINGS)):
        block = re.compile(rf"(  - name: {plugin}\n(?:    .*\n)*?    settings:\n)((?:    [-\s].*\n)*)")
        text, found = block.subn(lambda m, s=settings: m.group(1) + meltano_settings(s), text, count=1)
        assert found == 1, plugin
    return text


if __name__ == "__main__":
    target = ROOT / "docs" / "settings.md"
    target.write_text(document(), encoding="utf-8")
    print(f"wrote {target}")
    meltano = ROOT / "meltano.yml"
    meltano.write_text(meltano_yml(meltano.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {meltano}")
    about.write_snapshot()
    print(f"wrote {about.SNAPSHOT}")
