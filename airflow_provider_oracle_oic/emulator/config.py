"""Settings of one emulator instance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EmulatorConfig:
    """How the emulator authenticates, times activations and limits uploads."""

    client_id: str = "oic-emulator-client"
    client_secret: str = "oic-emulator-secret"
    instance: str | None = None
    token_ttl: float = 3600.0
    activation_delay: float = 0.0
    state_file: Path | None = None
    max_archive_bytes: int = 1 << 30
    max_uncompressed_bytes: int = 4 << 30
    max_compression_ratio: float = 200.0
    max_json_bytes: int = 10 << 20
    api_base: str = "/ic/api/integration/v1"
