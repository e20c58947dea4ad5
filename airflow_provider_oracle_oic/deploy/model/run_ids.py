"""The id of a run: made once per run, printed, and given back to restore it."""

from __future__ import annotations

import re
import uuid

RUN_ID = re.compile(r"[0-9a-f]{12}")


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]
