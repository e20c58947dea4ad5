"""One running emulator: its store and the pieces beside it (tokens, stats, faults, traffic RNG)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .blobs import BlobStore
from .config import EmulatorConfig
from .faults import FaultInjector
from .snapshot import load_file, save_file
from .stats import Stats
from .store import Store
from .tokens import TokenStore


@dataclass
class Emulator:
    """Everything one emulated OIC instance holds."""

    config: EmulatorConfig
    store: Store
    tokens: TokenStore
    stats: Stats = field(default_factory=Stats)
    faults: FaultInjector = field(default_factory=FaultInjector)
    traffic_rng: random.Random = field(default_factory=lambda: random.Random(0))

    @classmethod
    def create(cls, config: EmulatorConfig) -> Emulator:
        """Build the emulator, restoring `config.state_file` when it exists."""
        blob_dir = (
            config.state_file.with_name(config.state_file.name + ".blobs") if config.state_file else None
        )
        store = Store(config, BlobStore(blob_dir))
        if config.state_file is not None:
            state_file = config.state_file
            if state_file.exists():
                load_file(store, state_file)
            store.on_write = lambda s: save_file(s, state_file)
        return cls(config, store, TokenStore(config.token_ttl))

    def reset(self) -> None:
        """Forget every artifact, token, counter and fault rule."""
        with self.store.write() as store:
            store.clear()
        self.tokens.reset()
        self.stats.reset()
        self.faults.configure([], seed=0)
        self.traffic_rng.seed(0)
