"""Corpus presets: how many pipelines and how long they live.

A preset never sets a statistic directly: it sets the number of pipelines and, for the test-sized
presets, shrinks lifespans and cadences so the corpus stays small. The calibrated mechanism
parameters live in :mod:`mlprov.generator.mechanism` and are the same for every preset.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    pipelines: int
    description: str
    # Multiplies every pipeline's total lifespan (1.0 = the calibrated production-like one).
    lifespan_scale: float = 1.0
    # Observation window of the corpus in days (the study observed ~130 days of traces).
    window_days: float = 130.0
    # Cadence classes allowed (None = all, with the calibrated mix).
    cadences: tuple[str, ...] | None = None
    default_shards: int = 1


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        "tiny",
        pipelines=6,
        description="a few short-lived pipelines, every archetype once (unit tests, ~1 s)",
        lifespan_scale=0.12,
        window_days=12.0,
        cadences=("4h", "12h", "daily"),
    ),
    "small": Preset(
        "small",
        pipelines=20,
        description="~20 pipelines, a few thousand graphlets at most (CI integration)",
        lifespan_scale=0.35,
        window_days=45.0,
        cadences=("hourly", "4h", "12h", "daily", "weekly"),
    ),
    "bench": Preset(
        "bench",
        pipelines=300,
        description="~1/10 of the study: ~300 pipelines, ~45k graphlets (calibration target)",
    ),
    "paper": Preset(
        "paper",
        pipelines=3000,
        description="the study's size: 3,000 pipelines, ~450k graphlets",
        default_shards=8,
    ),
}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
