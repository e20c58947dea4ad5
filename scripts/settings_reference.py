"""Write docs/settings.md from the one declaration of the settings (`make docs`)."""

from __future__ import annotations

from pathlib import Path

from airflow_provider_oracle_oic.deploy.model.setting_specs import settings_table

HEADER = """# target-oracle-oic settings

Every setting of `target-oracle-oic` (and of `SingerToOICOperator`'s `target_config`), as
`target-oracle-oic --about` also lists them. Produced from
`airflow_provider_oracle_oic/deploy/model/setting_specs.py` by `make docs`; a test fails when this file, the
JSON schema or `meltano.yml` disagree with that declaration.

"""


def document() -> str:
    return HEADER + settings_table()


if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "docs" / "settings.md"
    target.write_text(document(), encoding="utf-8")
    print(f"wrote {target}")
