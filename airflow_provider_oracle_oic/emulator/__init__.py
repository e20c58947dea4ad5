"""oic-emulator: a local Oracle Integration Cloud that speaks OIC's REST API (docs/oic-reference.md).

It imports nothing from the client (`oic/`) or the engine (`deploy/`): it is the other end of the wire.
"""

try:
    import fastapi  # noqa: F401
except ImportError as missing:  # target-oracle-oic installed without its emulator extra
    raise ImportError(
        "the OIC emulator needs its web stack: pip install 'target-oracle-oic[emulator]'"
    ) from missing

from .app import create_app
from .config import EmulatorConfig
from .server import EmulatorServer

__all__ = ["EmulatorConfig", "EmulatorServer", "create_app"]
