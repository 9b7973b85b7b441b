"""Synthetic MLMD corpus generator, calibrated to the SIGMOD'21 study (docs/generator.md).

``generate`` writes real MLMD SQLite stores (schema version 10) from a production-like mechanism
(see :mod:`mlprov.generator.mechanism` for the archetypes and the exact property names), the latent
push file and a manifest; ``check`` recomputes the study's statistics from the stores themselves.
"""

from mlprov.generator.check import CheckRow, check, format_check_table, format_check_text
from mlprov.generator.corpus import (
    LATENT_COLUMNS,
    LATENT_FILE,
    MANIFEST_FILE,
    STORES_DIR,
    GenerationManifest,
    generate,
    store_paths,
)
from mlprov.generator.presets import PRESETS, Preset, get_preset

__all__ = [
    "LATENT_COLUMNS",
    "LATENT_FILE",
    "MANIFEST_FILE",
    "PRESETS",
    "STORES_DIR",
    "CheckRow",
    "GenerationManifest",
    "Preset",
    "check",
    "format_check_table",
    "format_check_text",
    "generate",
    "get_preset",
    "store_paths",
]
