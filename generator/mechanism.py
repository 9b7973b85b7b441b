"""The production-like mechanism behind the synthetic corpus.

Nothing here samples a target statistic. A corpus is a set of pipelines, each with an archetype
(DAG shape), a data cadence, a rolling training window (strided for some: several spans land per run),
drifting data, a code history, model types, flaky components and a push policy; the stores record
what TFX would record when those pipelines run (LocalDagRunner style: ``pipeline`` / ``pipeline_run`` /
``node`` contexts, custom execution properties, CACHED executions re-publishing earlier artifacts).

Property names written into the stores (all *custom* properties, ``is_custom_property = 1``, unless
marked registered):

* ``Examples``: ``span`` (int), ``version`` (int, 0), ``num_examples`` (int), ``input_fingerprint``
  (string), ``split_names`` (registered string, ``["train", "eval"]``).
* ``ExampleStatistics``: ``span`` (int), ``num_examples`` (int), ``split_names`` (registered),
  ``feature_stats`` (string: JSON object ``{"<feature>": {"mean": float, "std": float}, ...}``, the
  per-feature summary of that span).
* ``ExampleAnomalies``: ``span`` (int), ``num_anomalies`` (int), ``split_names`` (registered).
* ``ModelBlessing``: ``blessed`` (int 0/1), ``current_model`` (string URI), ``current_model_id`` (int),
  ``baseline_model`` / ``baseline_model_id`` (when a pushed baseline exists).
* ``InfraBlessing``: ``blessed`` (int 0/1).
* ``PushedModel``: ``pushed`` (int 0/1); when pushed also ``pushed_version`` (string, seconds) and
  ``pushed_destination`` (string).
* Every artifact: ``state`` = ``"published"`` (string).
* Trainer executions: ``module_path`` (string, TFX 1.x style ``<module>@<root>/_wheels/
  tfx_user_code_Trainer-0.0+<sha256>-py3-none-any.whl``; the digest changes exactly when the code
  changes), ``code_version`` (string, the same sha256), ``model_type`` (string: DNN, Linear, Tree,
  DNN+Linear, Ensemble), ``architecture`` (string, e.g. ``dnn-3x256``), ``train_args`` (JSON string),
  ``custom_config`` (JSON string with model_type and architecture).
* Every non-CACHED execution: ``cpu_seconds`` (double). CACHED executions have none (they cost nothing).
* ExampleGen executions: ``span`` (int), ``input_base`` (string).

Event paths use TFX's keys: ``examples``, ``statistics``, ``schema``, ``anomalies``,
``transform_graph``, ``best_hyperparameters``/``hyperparameters``, ``model``, ``model_run``,
``base_model`` (warm start: the previous Trainer's Model), ``teacher_model`` (distillation: the
teacher Trainer's Model read by the student), ``evaluation``, ``blessing``, ``model_blessing``,
``infra_blessing``, ``pushed_model``, ``anomalies`` (an ExampleAnomalies artifact read by a second
Transform pass or by the Trainer when the newest span had validation anomalies), ``trained_schema`` (the
Schema a Trainer handed those anomalies writes beside its model).

The push mechanisms (each documented with its parameters, observable and calibration target in
docs/generator.md): model types with different push propensities (``type_margin``, ``type_threshold``,
``minimal_model_type_weights``), a push freeze at the end of some pipelines' lives that the ExampleValidator
and the missing re-tunes show before the Trainer runs and the Evaluator after it (``freeze_*``), a push
throttle in every minimal pipeline (``minimal_throttle_runs``), validation
anomalies that re-run Transform or change the Trainer's inputs (``anomaly_*``), occasional re-tuning
(``retune_prob``, ``tuner_gain``), code changes (``code_*``), data drift against the last pushed
model, the push throttle, warm starts, a distillation teacher retrained on a share of the runs only
(``teacher_retrain``), and the Evaluator's and InfraValidator's blessing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from statistics import NormalDist

from mlprov.generator.mlmd_writer import (
    EVENT_INPUT,
    EVENT_OUTPUT,
    STATE_CACHED,
    STATE_CANCELED,
    STATE_COMPLETE,
    STATE_FAILED,
    Props,
    StoreWriter,
)
from mlprov.generator.presets import Preset

T0_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z: start of the observation window
DAY_MS = 86_400_000
HOUR_MS = 3_600_000

_NORMAL = NormalDist()
ARCHETYPES = ("minimal", "full", "ab", "distill", "warmstart")
MODEL_TYPES = ("DNN", "Linear", "Tree", "DNN+Linear", "Ensemble")


@dataclass(frozen=True)
class Cadence:
    name: str
    hours: float
    share: float  # share of pipelines
    life_median_days: float  # median of the total (unobserved) lifespan
    long_window: tuple[int, int]  # W range (spans) of "long window" pipelines


@dataclass(frozen=True)
class Mechanism:
    """Calibrated parameters of the production-like mechanism (the same for every preset)."""

    cadences: tuple[Cadence, ...] = (
        Cadence("10min", 1 / 6, 0.02, 4.0, (24, 72)),
        Cadence("hourly", 1.0, 0.08, 22.0, (12, 36)),
        Cadence("4h", 4.0, 0.08, 35.0, (6, 30)),
        Cadence("12h", 12.0, 0.10, 40.0, (6, 28)),
        Cadence("daily", 24.0, 0.586, 42.0, (7, 30)),
        Cadence("weekly", 168.0, 0.064, 90.0, (4, 12)),
    )
    life_sigma: float = 0.9
    archetype_weights: tuple[tuple[str, float], ...] = (
        ("minimal", 0.12),
        ("full", 0.68),
        ("ab", 0.045),
        ("distill", 0.015),
        ("warmstart", 0.09),
    )
    # rolling-window classes: W = 1, W in [2, 5], or the cadence's long range
    window_weights: tuple[tuple[str, float], ...] = (("single", 0.32), ("short", 0.10), ("long", 0.58))
    # warm-starting pipelines train on a single (or strided) window or a short one, allocated by volume like the
    # others' window classes (drawn per pipeline, the few busy warm-starting pipelines moved Table 1's Jaccard
    # bin [0, .25] by up to 5 points from seed to seed)
    warm_window_weights: tuple[tuple[str, float], ...] = (("single", 0.7), ("short", 0.3))
    # strided windows: in this share of the "single" window class the data lands several times per run
    # (``stride`` spans per run, uniform in [stride_min, stride_max]) and the Trainer reads those spans plus
    # the last ``stride_overlap`` spans of the previous run's window (a small overlap that smooths the
    # boundary); the rows of a run are split over its spans. Consecutive windows then overlap a little
    # (Jaccard overlap / (2 stride + overlap)) instead of not at all
    stride_share: float = 0.9
    stride_min: int = 2
    stride_max: int = 3
    stride_overlap: int = 1
    model_type_weights: tuple[tuple[str, float], ...] = (
        ("DNN", 0.64),
        ("Linear", 0.11),
        ("Tree", 0.10),
        ("DNN+Linear", 0.09),
        ("Ensemble", 0.06),
    )
    # the simplest pipelines (ExampleGen -> Trainer -> Pusher, no Evaluator: every model is pushed) mostly
    # train the simplest models; the other pipelines take the rest of each type's volume share
    minimal_model_type_weights: tuple[tuple[str, float], ...] = (
        ("DNN", 0.15),
        ("Linear", 0.45),
        ("Tree", 0.4),
        ("DNN+Linear", 0.0),
        ("Ensemble", 0.0),
    )
    ab_same_type: float = 0.7
    # a distillation teacher (three times a student's cost) is retrained on this share of the runs and when
    # its code changes; the other runs replay its last training (CACHED: no graphlet) and the student
    # distils from that same teacher model, so the student's predecessor is mostly its own last run
    teacher_retrain: float = 0.1
    ab_same_module: float = 0.85  # A/B arms usually share the trainer module and differ in config
    tuner_share: float = 0.7  # of full pipelines
    retune_prob: float = 0.25  # per run after the first: the Tuner runs again
    tuner_gain: float = 0.02  # quality gained by a model trained with freshly tuned hyperparameters
    infra_share: float = 0.5  # of full pipelines
    # code changes: per-pipeline rate (per day), lognormal around the median
    code_rate_median: float = 0.25
    code_rate_sigma: float = 0.8
    code_run_now: float = 0.15  # share of code changes that trigger a run at once, on the current data
    rerun_prob: float = 0.01  # a manual re-run right after a run: everything CACHED
    # late data: a span lands after its slot with a heavy-tailed delay (P(delay > t) = late_data_hours / t), so
    # this share of a pipeline's scheduled runs, late_data_hours / cadence, starts before its span is there
    # (10min: 7.8%, hourly: 1.3%, 4h: 0.3%, daily: 0.05%); that run retrains on the spans it has (the scheduler
    # passes the run to the Trainer, so TFX does not cache it), then the span lands and triggers its data run
    late_data_hours: float = 0.013
    # failure probabilities of a fresh execution (times the pipeline's flakiness)
    fail: tuple[tuple[str, float], ...] = (
        ("ExampleGen", 0.008),
        ("StatisticsGen", 0.002),
        ("SchemaGen", 0.001),
        ("ExampleValidator", 0.001),
        ("Transform", 0.008),
        ("Tuner", 0.02),
        ("Trainer", 0.03),
        ("Evaluator", 0.005),
        ("InfraValidator", 0.004),
        ("Pusher", 0.003),
    )
    cancel_prob: float = 0.004  # per run: cancelled at a random step
    # data drift: random-walk std per sqrt(day) of the latent concept, jump rate per day and size
    drift_median: float = 0.35
    drift_sigma: float = 0.6
    drift_cadence_exponent: float = 0.1  # drift per span ~ cadence**this (0.5 = same walk per day)
    jump_per_day: float = 0.02
    jump_size: float = 1.5
    # model quality (latent, in metric points) and the push policy
    drift_penalty: float = 0.020  # quality lost per unit of concept distance
    sigma_train: tuple[tuple[str, float], ...] = (
        ("DNN", 0.0014),
        ("Linear", 0.0007),
        ("Tree", 0.0008),
        ("DNN+Linear", 0.0012),
        ("Ensemble", 0.001),
    )
    sigma_eval: float = 0.003  # noise of the Evaluator's candidate-vs-baseline comparison
    sigma_bound: float = 0.004  # noise of the Evaluator's absolute threshold check
    change_threshold: float = 0.002  # TFX-style change threshold (candidate must beat baseline by it)
    margin_mean: float = 0.007  # pipeline skill above its Evaluator value threshold
    margin_sd: float = 0.008
    code_gain_mean: float = 0.002
    code_gain_sd: float = 0.006
    warm_bonus: float = 0.001
    infra_pass: float = 0.97
    # push propensity by model type: skill offset (metric points) of each type over the pipeline margin
    type_margin: tuple[tuple[str, float], ...] = (
        ("DNN", -0.012),
        ("Linear", 0.006),
        ("Tree", 0.004),
        ("DNN+Linear", 0.004),
        ("Ensemble", 0.006),
    )
    # push propensity by model type, part two: the margin by which a candidate must beat the served model
    # on top of ``change_threshold`` (teams demand more of a costly or volatile model type before they swap
    # the served model), so the same staleness takes more runs to clear it; the DNN bar lies between one and two
    # runs of staleness (``stale_per_run``): a DNN right after a push is not swapped in unless it was re-tuned;
    # cheap, stable Linear and Tree models pass a non-regression check instead (a negative bar: a candidate no
    # worse than the served model by more than 0.004 is swapped in), so they are pushed on most clean runs
    type_threshold: tuple[tuple[str, float], ...] = (
        ("DNN", 0.024),
        ("Linear", -0.006),
        ("Tree", -0.006),
        ("DNN+Linear", 0.008),
        ("Ensemble", 0.004),
    )
    # data-validation anomalies on the newest span: per-pipeline rate (lognormal around the median) and
    # the team's response (re-run Transform with the anomalies, or hand them to the Trainer). Either way
    # the Evaluator, which validates on that flagged span, does not bless the model (the anomaly gate)
    anomaly_rate_median: float = 0.35
    anomaly_rate_sigma: float = 0.5
    anomaly_transform_share: float = 0.6
    # a Trainer handed the anomalies is the team's own Trainer component: besides the model it writes the
    # schema it trained with (the flagged features deprecated), one OUTPUT more than any other run of it
    anomaly_trainer_schema: bool = True
    # the baseline (last pushed model) loses this much per fresh run since its push: staleness
    stale_per_run: float = 0.016
    # sequential data visitation: each span is another slice of the data, so its per-feature summary
    # differs from the neighbouring span's by this many feature standard deviations (mean), and by a
    # lognormal factor with this sigma (standard deviation)
    span_mean_noise: float = 300.0
    span_std_noise: float = 1.0
    # push freeze: this share of the pipelines stops pushing for the last part of its observed life (the
    # team moved on to a successor, the served model is frozen) while the pipeline keeps training; the
    # frozen part is a uniform share in [freeze_min, freeze_max] of the pipeline's observed lifespan
    freeze_share: float = 0.3
    freeze_min: float = 0.3
    freeze_max: float = 0.7
    # what the trace shows of the freeze before the Trainer runs: the upstream data moved on to the
    # successor's format, so the old pipeline's ExampleValidator flags the newest span with this probability
    # (its curated schema is no longer kept up to date; the anomaly gate then blocks the blessing too), and the
    # team, working on the successor, no longer re-tunes it
    freeze_anomaly_rate: float = 1.0
    freeze_stops_retune: bool = True
    # the Evaluator of a frozen pipeline validates on the newest span, in the successor's format: it never
    # blesses (also where no ExampleValidator flags the span)
    freeze_fails_evaluation: bool = True
    # a minimal pipeline (no Evaluator) never freezes: it trains only to push, so nobody keeps it training
    # with its pushes off; a frozen pipeline keeps training for its Evaluator's metrics, which the team reads
    # beside the successor's
    freeze_minimal: bool = False
    # push throttle, in multiples of the pipeline's cadence (0 = none)
    throttle_runs: tuple[tuple[float, float], ...] = ((0.0, 0.55), (2.0, 0.3), (3.0, 0.15))
    # a minimal pipeline has no Evaluator to gate its pushes on quality, so its team rate-limits them: every
    # minimal pipeline has a push throttle (multiples of its cadence, allocated by volume like the others')
    minimal_throttle_runs: tuple[tuple[float, float], ...] = ((2.0, 0.7), (3.0, 0.3))
    # the study's corpus filter (§2.2: a pipeline is in the corpus only if it trained a model and pushed
    # one): a pipeline whose simulated history holds no push is replaced by another draw for the same slot,
    # at most this many draws in all (1 = no filter: every first draw is kept)
    inclusion_draws: int = 20


MECHANISM = Mechanism()


# ---------------------------------------------------------------------------------------------
# Pipeline plans
# ---------------------------------------------------------------------------------------------


@dataclass
class Arm:
    node_id: str
    role: str  # single | arm | teacher | student
    model_type: str
    architecture: str
    module: str
    sigma_train: float
    skill: float
    threshold: float  # change threshold of the Evaluator's candidate-vs-baseline comparison
    code_digest: str
    evaluated: bool  # has Evaluator (and maybe InfraValidator) before its Pusher
    pushes: bool
    suffix: str = ""
    # state during the simulation
    last_model: int | None = None
    base_q: float | None = None
    base_fit: float = 0.0
    base_model: int | None = None
    base_uri: str = ""
    last_push_ms: int | None = None
    runs_since_push: int = 0  # fresh trainer runs since the arm's last push (the baseline's staleness)
    pending: dict[str, float] = field(default_factory=dict)


@dataclass
class PipelineSpec:
    index: int
    name: str
    archetype: str
    cadence: Cadence
    window: int
    stride: int  # spans ingested per data run (1, or more in a strided window)
    start_ms: int
    end_ms: int
    first_span: int
    n_features: int
    rows_per_span: int
    example_gen: str
    has_stats: bool
    has_validator: bool
    has_transform: bool
    has_tuner: bool
    has_infra: bool
    anomaly_rate: float  # per run: the newest span has validation anomalies (0 without ExampleValidator)
    anomaly_response: str  # "transform" (Transform re-runs with the anomalies) or "trainer" (Trainer reads them)
    throttle_ms: int
    freeze_ms: int  # from this time on (corpus-relative) the Pusher never pushes (the push freeze)
    code_rate: float
    drift: float
    flaky: float
    workers: float
    arms: list[Arm]
    draft: _Draft  # the slot: cadence, lifespan and the labels allocated by volume (kept by a re-draw)
    draw: int = 0  # 0 = the slot's first draw; k > 0 = its k-th re-draw under the corpus filter


def allocate(rng: random.Random, n: int, weights: Sequence[tuple[str, float]]) -> list[str]:
    """A balanced, shuffled list of n labels in the given proportions (largest remainder)."""
    total = sum(w for _, w in weights)
    quotas = [(label, n * w / total) for label, w in weights]
    counts = {label: int(q) for label, q in quotas}
    rest = n - sum(counts.values())
    order = sorted(quotas, key=lambda lq: (-(lq[1] - int(lq[1])), rng.random()))
    for label, _ in order[:rest]:
        counts[label] += 1
    out = [label for label, _ in weights for _ in range(counts[label])]
    rng.shuffle(out)
    return out


_DOMAINS = (
    "ads",
    "search",
    "maps",
    "play",
    "news",
    "shopping",
    "photos",
    "mail",
    "video",
    "assistant",
    "cloud",
    "payments",
    "travel",
    "fraud",
    "feed",
    "music",
)
_TASKS = ("ctr", "ranking", "spam", "churn", "eta", "recs", "quality", "intent", "forecast", "risk", "abuse", "pricing")
_ARCH = {
    "DNN": ("dnn-2x128", "dnn-3x256", "dnn-4x512", "dnn-3x1024", "transformer-small", "dcn-v2"),
    "Linear": ("linear-ftrl", "linear-l1", "logistic-regression"),
    "Tree": ("gbdt-200", "gbdt-500", "random-forest-100"),
    "DNN+Linear": ("wide-and-deep", "wide-and-deep-large"),
    "Ensemble": ("ensemble-dnn-gbdt", "ensemble-3xdnn"),
}


def _digest(*parts: object) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def systematic(rng: random.Random, volumes: Sequence[float], weights: Sequence[tuple[str, float]]) -> list[str]:
    """Labels for slots of the given volumes so each label's share of the *volume* follows its weight.

    Slots are visited in the given order (callers pass them busiest first); each goes to the label
    furthest behind its volume quota (random initial credits break ties). A handful of very busy
    pipelines then cannot tilt a corpus-wide share just by which label they happen to draw.
    """
    total = sum(w for _, w in weights)
    share = [w / total for _, w in weights]
    scale = sum(volumes) / max(1, len(volumes))
    credit = [rng.random() * sh * scale for sh in share]
    out: list[str] = []
    for v in volumes:
        credit = [c + sh * v for c, sh in zip(credit, share, strict=True)]
        j = max(range(len(share)), key=lambda i: credit[i])
        credit[j] -= v
        out.append(weights[j][0])
    return out


@dataclass
class _Draft:
    cadence: Cadence
    start: int
    end: int
    first_span: int
    archetype: str = ""
    window_class: str = ""
    model_type: str = ""
    same_module: bool = True
    # quantiles (0..1) of the pipeline's push-policy draws: skill margin, drift speed; throttle class
    margin_u: float = 0.5
    drift_u: float = 0.5
    throttle: float = 0.0

    def volume(self, per_run: float = 1.0) -> float:
        return (self.end - self.start) / (self.cadence.hours * HOUR_MS) * per_run


_TRAINERS_PER_RUN = {"minimal": 1.0, "full": 1.0, "ab": 2.0, "distill": 2.0, "warmstart": 1.0}


def plan_corpus(preset: Preset, pipelines: int, seed: int, mech: Mechanism = MECHANISM) -> list[PipelineSpec]:
    """Draw every pipeline's plan.

    Each pipeline's lifespan comes from its cadence class; the categorical choices (archetype,
    window class, model type, A/B module sharing) are then allocated so that each label's share of
    the expected training volume (runs; trainer runs for model types) follows the mechanism's
    weights: the pooled corpus statistics then do not hinge on which archetype the few busiest
    pipelines happen to draw.
    """
    rng = random.Random(f"mlprov-corpus:{seed}")
    cadences = [c for c in mech.cadences if preset.cadences is None or c.name in preset.cadences]
    cad_labels = allocate(rng, pipelines, [(c.name, c.share) for c in cadences])
    by_name = {c.name: c for c in cadences}
    drafts = [_draft_lifespan(i, by_name[cad_labels[i]], preset, seed, mech) for i in range(pipelines)]
    if pipelines < 20:  # test-sized corpora: every archetype at least once, in a fixed cycle
        for i, d in enumerate(drafts):
            d.archetype = ARCHETYPES[i % len(ARCHETYPES)]
            d.window_class = ("long", "single", "short")[i % 3]
            d.model_type = ("DNN", "DNN", "Linear", "Tree", "DNN+Linear", "Ensemble")[i % 6]
            d.same_module = i % 2 == 0
            d.margin_u, d.drift_u = rng.random(), rng.random()
            d.throttle = _choice(rng, _throttle_runs(mech, d.archetype))
    else:
        # sorted by expected graphlet volume, so every label gets a similar mix of small and busy pipelines
        order = sorted(drafts, key=lambda d: -d.volume())
        runs = [d.volume() for d in order]
        for d, a in zip(order, systematic(rng, runs, mech.archetype_weights), strict=True):
            d.archetype = a
        order.sort(key=lambda d: -d.volume(_TRAINERS_PER_RUN[d.archetype]))
        _allocate_model_types(random.Random(f"mlprov-model-types:{seed}"), order, mech)
        for _ in mech.model_type_weights:  # the draws one allocation used to take: the later plan draws stay put
            rng.random()
        non_warm = [d for d in order if d.archetype != "warmstart"]
        vols = [d.volume(_TRAINERS_PER_RUN[d.archetype]) for d in non_warm]
        for d, wl in zip(non_warm, systematic(rng, vols, mech.window_weights), strict=True):
            d.window_class = wl
        warm = [d for d in order if d.archetype == "warmstart"]
        warm_rng = random.Random(f"mlprov-warm-windows:{seed}")
        for d, wl in zip(warm, systematic(warm_rng, [d.volume() for d in warm], mech.warm_window_weights), strict=True):
            d.window_class = wl
        for _ in warm:  # the draws one per-pipeline choice used to take: the later plan draws stay put
            rng.random()
        # the push policy's pipeline-level draws, stratified the same way (5 quantile strata each)
        order.sort(key=lambda d: -d.volume(_TRAINERS_PER_RUN[d.archetype]))
        vols = [d.volume(_TRAINERS_PER_RUN[d.archetype]) for d in order]
        strata = [(str(k), 1.0) for k in range(5)]
        for d, k in zip(order, systematic(rng, vols, strata), strict=True):
            d.margin_u = (int(k) + rng.random()) / 5
        for d, k in zip(order, systematic(rng, vols, strata), strict=True):
            d.drift_u = (int(k) + rng.random()) / 5
        for group in ([d for d in order if d.archetype == "minimal"], [d for d in order if d.archetype != "minimal"]):
            if group:
                throttles = [(str(t), w) for t, w in _throttle_runs(mech, group[0].archetype)]
                group_vols = [d.volume(_TRAINERS_PER_RUN[d.archetype]) for d in group]
                for d, t in zip(group, systematic(rng, group_vols, throttles), strict=True):
                    d.throttle = float(t)
        ab = sorted((d for d in drafts if d.archetype == "ab"), key=lambda d: -d.volume())
        flags = systematic(
            rng, [d.volume() for d in ab], [("same", mech.ab_same_module), ("own", 1 - mech.ab_same_module)]
        )
        for d, flag in zip(ab, flags, strict=True):
            d.same_module = flag == "same"
    return [_plan_pipeline(i, d, seed, mech) for i, d in enumerate(drafts)]


def _throttle_runs(mech: Mechanism, archetype: str) -> tuple[tuple[float, float], ...]:
    """The push-throttle classes a pipeline of this archetype draws from."""
    return mech.minimal_throttle_runs if archetype == "minimal" else mech.throttle_runs


def _allocate_model_types(rng: random.Random, order: list[_Draft], mech: Mechanism) -> None:
    """Model types by trainer-run volume: minimal pipelines from ``minimal_model_type_weights``, the others
    from what remains of ``model_type_weights`` (so each type's corpus-wide share is unchanged)."""
    vol = {id(d): d.volume(_TRAINERS_PER_RUN[d.archetype]) for d in order}
    minimal = [d for d in order if d.archetype == "minimal"]
    rest = [d for d in order if d.archetype != "minimal"]
    total = sum(vol.values()) or 1.0
    m_share = sum(vol[id(d)] for d in minimal) / total
    m_w = dict(mech.minimal_model_type_weights)
    m_sum = sum(m_w.values())
    rest_w = [(t, max(0.0, w - m_share * m_w[t] / m_sum)) for t, w in mech.model_type_weights]
    for group, weights in ((minimal, mech.minimal_model_type_weights), (rest, tuple(rest_w))):
        for d, t in zip(group, systematic(rng, [vol[id(d)] for d in group], weights), strict=True):
            d.model_type = t


def _draft_lifespan(index: int, cad: Cadence, preset: Preset, seed: int, mech: Mechanism) -> _Draft:
    """The observed part of the pipeline's life inside the corpus window (lifespans are clipped)."""
    rng = random.Random(f"mlprov-life:{seed}:{index}")
    cad_ms = int(cad.hours * HOUR_MS)
    window_ms = int(preset.window_days * DAY_MS)
    min_obs = max(3 * cad_ms, DAY_MS if cad.hours < 1 else DAY_MS // 2)
    birth = 0
    for _ in range(50):
        life = rng.lognormvariate(math.log(cad.life_median_days * preset.lifespan_scale), mech.life_sigma)
        life_ms = int(life * DAY_MS)
        birth = rng.randrange(-life_ms, window_ms)
        start, end = max(0, birth), min(window_ms, birth + life_ms)
        if end - start >= min_obs:
            break
    else:
        start, end = 0, min(window_ms, min_obs)
    return _Draft(cad, start, end, int(max(0, (start - birth) // cad_ms)))


def _choice(rng: random.Random, weights: Sequence[tuple[float, float]]) -> float:
    r = rng.random() * sum(w for _, w in weights)
    for value, w in weights:
        r -= w
        if r <= 0:
            return value
    return weights[-1][0]


def _stream(name: str, seed: int, index: int, draw: int) -> random.Random:
    """The random stream ``name`` of a pipeline slot's ``draw`` (the first draw keeps the historical key)."""
    return random.Random(f"{name}:{seed}:{index}" + (f":{draw}" if draw else ""))


def _plan_pipeline(index: int, d: _Draft, seed: int, mech: Mechanism, draw: int = 0) -> PipelineSpec:
    rng = _stream("mlprov-pipeline", seed, index, draw)
    cad, archetype, model_type = d.cadence, d.archetype, d.model_type
    name = f"{rng.choice(_DOMAINS)}_{rng.choice(_TASKS)}_{index:05d}"
    cad_ms = int(cad.hours * HOUR_MS)
    stride = 1
    if d.window_class == "single":
        stride = _stride(seed, index, mech, draw)
        window = 1 if stride == 1 else stride + mech.stride_overlap
    elif d.window_class == "short":
        window = rng.randint(2, 5)
    else:
        window = rng.randint(*cad.long_window)
    has_stats = archetype != "minimal"
    full_like = archetype in ("full", "ab", "distill", "warmstart")
    sigma = dict(mech.sigma_train)
    type_margin = dict(mech.type_margin)
    type_threshold = dict(mech.type_threshold)
    margin = mech.margin_mean + mech.margin_sd * _NORMAL.inv_cdf(min(max(d.margin_u, 1e-6), 1 - 1e-6))
    same_module = d.same_module

    def arm(node_id: str, role: str, mtype: str, evaluated: bool, pushes: bool, suffix: str) -> Arm:
        module = {"teacher": "teacher_trainer", "student": "student_trainer"}.get(role, "trainer")
        if suffix and not same_module:
            module = f"trainer_{suffix}"
        return Arm(
            node_id=node_id,
            role=role,
            model_type=mtype,
            architecture=rng.choice(_ARCH[mtype]),
            module=module,
            sigma_train=sigma[mtype],
            skill=margin + type_margin[mtype] + rng.gauss(0, 0.003),
            threshold=mech.change_threshold + type_threshold[mtype],
            code_digest=_digest(seed, index, module, 0),
            evaluated=evaluated,
            pushes=pushes,
            suffix=suffix,
        )

    arms: list[Arm]
    if archetype == "minimal":
        arms = [arm("Trainer", "single", model_type, False, True, "")]
    elif archetype == "ab":
        other = model_type if rng.random() < mech.ab_same_type else rng.choice(MODEL_TYPES)
        arms = [arm("Trainer_a", "arm", model_type, True, True, "a"), arm("Trainer_b", "arm", other, True, True, "b")]
    elif archetype == "distill":
        teacher_type = "Ensemble" if rng.random() < 0.5 else "DNN"
        arms = [
            arm("Trainer_teacher", "teacher", teacher_type, False, False, ""),
            arm("Trainer_student", "student", model_type, True, True, ""),
        ]
    else:
        arms = [arm("Trainer", "single", model_type, True, True, "")]
    rows = int(rng.lognormvariate(math.log(2e5 * max(cad.hours, 1.0) / 24 + 2e4), 0.8)) // stride
    has_validator = full_like and rng.random() < 0.85
    anomaly_rate = min(0.9, mech.anomaly_rate_median * rng.lognormvariate(0.0, mech.anomaly_rate_sigma))
    response = "transform" if rng.random() < mech.anomaly_transform_share else "trainer"
    expected_cpu = rows * window * 2e-4 * 3 + 600  # rough wall budget of one run in CPU seconds
    workers = max(8.0, expected_cpu / (0.5 * cad.hours * 3600))
    return PipelineSpec(
        index=index,
        name=name,
        archetype=archetype,
        cadence=cad,
        window=window,
        stride=stride,
        start_ms=d.start,
        end_ms=d.end,
        first_span=d.first_span,
        n_features=rng.randint(5, 30),
        rows_per_span=rows,
        example_gen=rng.choice(("CsvExampleGen", "BigQueryExampleGen", "BigQueryExampleGen", "ImportExampleGen")),
        has_stats=has_stats,
        has_validator=has_validator,
        has_transform=full_like,
        has_tuner=archetype == "full" and rng.random() < mech.tuner_share,
        has_infra=archetype == "full" and rng.random() < mech.infra_share,
        anomaly_rate=anomaly_rate if has_validator else 0.0,
        anomaly_response=response,
        throttle_ms=int(d.throttle * cad_ms),
        freeze_ms=_freeze_ms(d, seed, index, mech, draw),
        code_rate=rng.lognormvariate(math.log(mech.code_rate_median), mech.code_rate_sigma),
        drift=math.exp(
            math.log(mech.drift_median) + mech.drift_sigma * _NORMAL.inv_cdf(min(max(d.drift_u, 1e-6), 1 - 1e-6))
        ),
        flaky=rng.lognormvariate(0.0, 0.7),
        workers=workers,
        arms=arms,
        draft=d,
        draw=draw,
    )


def _stride(seed: int, index: int, mech: Mechanism, draw: int) -> int:
    """Spans per data run of a "single"-class pipeline (1: one span, trained alone); own stream, so the
    other draws of the plan do not move."""
    rng = _stream("mlprov-stride", seed, index, draw)
    if rng.random() >= mech.stride_share:
        return 1
    return rng.randint(mech.stride_min, mech.stride_max)


def _freeze_ms(d: _Draft, seed: int, index: int, mech: Mechanism, draw: int) -> int:
    """When the pipeline's push freeze starts (after its end when it has none); own stream, so the other
    draws of the plan do not move."""
    rng = _stream("mlprov-freeze", seed, index, draw)
    if rng.random() >= mech.freeze_share or (d.archetype == "minimal" and not mech.freeze_minimal):
        return d.end + 1
    return d.end - int((d.end - d.start) * rng.uniform(mech.freeze_min, mech.freeze_max))


def redraw(spec: PipelineSpec, seed: int, mech: Mechanism = MECHANISM) -> PipelineSpec:
    """The slot's next draw: the same cadence, lifespan, archetype, window class, model type and A/B module
    sharing (the labels :func:`plan_corpus` allocates by volume, so the corpus-wide shares hold); every
    other draw of the plan (name, sizes, validator, anomaly rate, skill margin, drift, throttle, freeze)
    and of the simulation comes from the draw's own random streams."""
    draw = spec.draw + 1
    rng = _stream("mlprov-redraw", seed, spec.index, draw)
    throttle = _choice(rng, _throttle_runs(mech, spec.archetype))
    d = replace(spec.draft, margin_u=rng.random(), drift_u=rng.random(), throttle=throttle)
    return _plan_pipeline(spec.index, d, seed, mech, draw)


def simulate_included(
    spec: PipelineSpec, writer: StoreWriter, store_name: str, seed: int, mech: Mechanism = MECHANISM
) -> tuple[PipelineSpec, list[LatentRow]]:
    """Simulate the slot under the study's corpus filter (§2.2: only pipelines that pushed a model are in
    the corpus): a draw whose history holds no push is rolled back from the writer and the slot re-drawn
    (:func:`redraw`), up to ``mech.inclusion_draws`` draws; the last draw is kept whatever it did (the
    calibration check's row "pipelines that pushed a model" then shows it). Returns the kept draw and its
    latent rows."""
    while True:
        mark = writer.mark()
        latent = PipelineSimulator(spec, writer, store_name, seed, mech).run()
        if any(r.pushed for r in latent) or spec.draw + 1 >= mech.inclusion_draws:
            return spec, latent
        writer.rollback(mark)
        spec = redraw(spec, seed, mech)


# ---------------------------------------------------------------------------------------------
# Simulation: run the pipeline, record what TFX records
# ---------------------------------------------------------------------------------------------


@dataclass
class LatentRow:
    store: str
    execution_id: int
    pipeline: str
    archetype: str
    trainer_node: str
    state: str
    push_probability: float
    pushed: int


@dataclass
class _Node:
    context: int
    key: tuple[object, ...] | None = None  # cache key of the last COMPLETE execution
    outputs: list[tuple[str, list[int]]] = field(default_factory=list)


class _RunStopped(Exception):
    pass


_STATE_NAME = {STATE_COMPLETE: "COMPLETE", STATE_FAILED: "FAILED", STATE_CANCELED: "CANCELED"}


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


class PipelineSimulator:
    """Runs one pipeline over its lifespan and writes its MLMD records through a StoreWriter."""

    def __init__(
        self, spec: PipelineSpec, writer: StoreWriter, store_name: str, seed: int, mech: Mechanism = MECHANISM
    ) -> None:
        self.s = spec
        self.w = writer
        self.store = store_name
        self.mech = mech
        self.rng = _stream("mlprov-sim", seed, spec.index, spec.draw)
        # late data draws from its own stream, so a pipeline with no late run is simulated as before
        self.late_rng = _stream("mlprov-late", seed, spec.index, spec.draw)
        self.p_late = min(1.0, mech.late_data_hours / spec.cadence.hours)
        self.fail = dict(mech.fail)
        self.root = f"/data/tfx/pipelines/{spec.name}"
        self.latent: list[LatentRow] = []
        self.nodes: dict[str, _Node] = {}
        self.attributed: set[tuple[int, int]] = set()
        self.pipeline_ctx = 0
        # data state
        self.concept = 0.0
        self.spans: list[tuple[int, int, float]] = []  # (span, Examples artifact id, concept)
        self.stats_base = [
            (self.rng.gauss(0, 3), abs(self.rng.gauss(1, 0.5)) + 0.1, self.rng.gauss(0, 1), self.rng.gauss(0, 1))
            for _ in range(spec.n_features)
        ]
        self.next_span = spec.first_span
        self.anomalous = False  # the newest span's validation outcome
        self.tuned = False  # the current run re-tuned the hyperparameters

    # -- helpers ----------------------------------------------------------------------------------
    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _node(self, node_id: str, t: int) -> _Node:
        node = self.nodes.get(node_id)
        if node is None:
            node = _Node(self.w.context("node", f"{self.s.name}.{node_id}", t))
            self.nodes[node_id] = node
        return node

    def _attribute(self, contexts: tuple[int, int, int], artifact: int) -> None:
        for ctx in contexts:
            if (ctx, artifact) not in self.attributed:
                self.attributed.add((ctx, artifact))
                self.w.attribution(ctx, artifact)

    def _cpu_to_ms(self, cpu: float) -> int:
        return max(50, int(cpu / self.s.workers * 1000 * self.rng.uniform(0.8, 1.25)))

    # -- one execution ----------------------------------------------------------------------------
    def execute(
        self,
        run: _Run,
        node_id: str,
        type_key: str,
        inputs: list[tuple[str, list[int]]],
        outputs: list[tuple[str, str, Props]],
        cpu: float,
        props: Props,
        cache_extra: tuple[object, ...] = (),
        fail_key: str | None = None,
    ) -> tuple[int, int, list[list[int]]]:
        """Record one component execution; returns (execution id, state, output id lists).

        TFX caching: when the node's last COMPLETE execution had the same inputs (and code), the
        execution is CACHED and its OUTPUT events point at those earlier artifacts. A fresh execution
        may fail (FAILED, no outputs) or be cancelled; either stops the run.
        """
        start = run.clock
        node = self._node(node_id, start)
        key = (tuple((k, tuple(ids)) for k, ids in inputs), *cache_extra)
        contexts = (self.pipeline_ctx, run.context, node.context)
        if node.key == key and node.outputs:
            state = STATE_CACHED
            end = start + self.rng.randint(60, 400)
            out_ids = [ids for _, ids in node.outputs]
            exec_props: Props = list(props)
        else:
            r = self.rng.random()
            p_fail = self.fail.get(fail_key or type_key, 0.0) * self.s.flaky
            if run.cancel_at == run.step:
                state = STATE_CANCELED
            elif r < p_fail:
                state = STATE_FAILED
            else:
                state = STATE_COMPLETE
            dur = self._cpu_to_ms(cpu)
            if state != STATE_COMPLETE:
                dur = int(dur * self.rng.uniform(0.05, 0.7))
                cpu = cpu * dur / max(1, self._cpu_to_ms(cpu))
            end = start + dur
            exec_props = [*props, ("cpu_seconds", round(cpu, 3), 1)]
            out_ids = []
        eid = self.w.execution(type_key, state, self._uuid(), start, end, exec_props)
        for ctx in contexts:
            self.w.association(ctx, eid)
        t_in = start + 5
        for k, ids in inputs:
            for i, aid in enumerate(ids):
                self.w.event(aid, eid, EVENT_INPUT, t_in, k, i)
                self._attribute(contexts, aid)
        if state == STATE_COMPLETE:
            for out_key, type_name, aprops in outputs:
                uri = f"{self.root}/{node_id}/{out_key}/{eid}"
                aid = self.w.artifact(type_name, uri, end - 2, [*aprops, ("state", "published", 1)])
                out_ids.append([aid])
            node.key = key
            node.outputs = [(k, ids) for (k, _, _), ids in zip(outputs, out_ids, strict=True)]
        if state in (STATE_COMPLETE, STATE_CACHED):
            for (out_key, _, _), ids in zip(outputs, out_ids, strict=True):
                for i, aid in enumerate(ids):
                    self.w.event(aid, eid, EVENT_OUTPUT, end + 1, out_key, i)
                    self._attribute(contexts, aid)
        run.step += 1
        run.clock = end + self.rng.randint(80, 900)
        self.w.touch_context(run.context, end + 1)
        self.w.touch_context(node.context, end + 1)
        self.w.touch_context(self.pipeline_ctx, end + 1)
        if state in (STATE_FAILED, STATE_CANCELED):
            if type_key == "Trainer":  # it still has a graphlet (flagged by its state), never pushed
                self.latent.append(
                    LatentRow(self.store, eid, self.s.name, self.s.archetype, node_id, _STATE_NAME[state], 0.0, 0)
                )
            run.stopped_state = state
            raise _RunStopped
        return eid, state, out_ids

    # -- data ---------------------------------------------------------------------------------------
    def _advance_concept(self, dt_ms: int) -> None:
        # Teams pick a cadence that matches how fast their data moves: the drift per span varies
        # little with the cadence (drift_cadence_exponent), so the walk per sqrt(day) is faster for
        # fast pipelines.
        days = max(dt_ms, 0) / DAY_MS
        cad_days = self.s.cadence.hours / 24
        per_sqrt_day = self.s.drift * cad_days ** (self.mech.drift_cadence_exponent - 0.5)
        self.concept += self.rng.gauss(0, per_sqrt_day * math.sqrt(days))
        if self.rng.random() < 1 - math.exp(-self.mech.jump_per_day * days):
            self.concept += self.rng.gauss(0, self.mech.jump_size)

    def _feature_stats(self) -> str:
        """Per-feature summary of a new span: the slice's own offset (sequential data visitation)
        on top of the drifting concept."""
        c = self.concept
        m = self.mech
        out = {}
        for k, (mu, sd, load, load2) in enumerate(self.stats_base):
            mean = mu + load * c + self.rng.gauss(0, m.span_mean_noise * sd)
            std = sd * math.exp(0.15 * load2 * c + self.rng.gauss(0, m.span_std_noise))
            out[f"f{k:02d}"] = {"mean": round(mean, 3), "std": round(abs(std), 3)}
        return json.dumps(out, separators=(",", ":"))

    # -- the whole pipeline -------------------------------------------------------------------------
    def run(self) -> list[LatentRow]:
        s = self.s
        rng = self.rng
        cad_ms = int(s.cadence.hours * HOUR_MS)
        triggers: list[tuple[int, str, int]] = []
        k = 0
        while True:
            t = s.start_ms + k * cad_ms + rng.randint(0, max(1, cad_ms // 20))
            if t >= s.end_ms:
                break
            triggers.append((t, "data", -1))
            if rng.random() < self.mech.rerun_prob:
                triggers.append((t + rng.randint(cad_ms // 10, cad_ms // 3), "rerun", -1))
            k += 1
        t = s.start_ms
        while True:
            t += int(rng.expovariate(s.code_rate) * DAY_MS)
            if t >= s.end_ms:
                break
            triggers.append((t, "code", rng.randrange(len(s.arms))))
        triggers.sort()
        t_first = T0_MS + triggers[0][0] if triggers else T0_MS + s.start_ms
        self.pipeline_ctx = self.w.context("pipeline", s.name, t_first - 40)
        last_time = s.start_ms
        busy_until = 0
        for t_rel, kind, arm_index in triggers:
            self._advance_concept(t_rel - last_time)
            last_time = t_rel
            if kind == "code":
                arm = s.arms[arm_index]
                digest = _digest(arm.code_digest, t_rel)
                gain = rng.gauss(self.mech.code_gain_mean, self.mech.code_gain_sd)
                for other in s.arms:  # arms sharing the module file get the change too
                    if other.module == arm.module and other is not arm:
                        other.code_digest = digest
                        other.skill += gain
                arm.code_digest = digest
                arm.skill += gain
                if arm.role == "teacher":  # a better teacher makes a better student
                    s.arms[1].skill += 0.5 * gain
                if rng.random() < 0.1:
                    arm.architecture = rng.choice(_ARCH[arm.model_type])
                if rng.random() >= self.mech.code_run_now:
                    continue  # the new code waits for the next scheduled run
            start = max(T0_MS + t_rel, busy_until + 1000)
            if kind == "data" and self.p_late > 0 and self.late_rng.random() < self.p_late:
                # the scheduled run starts before its span landed and retrains on the spans it has; it draws from
                # the late-data stream, so the data run the span then triggers is the one it would have been
                main, self.rng = self.rng, self.late_rng
                try:
                    busy_until = self._one_run(start, new_data=False, retrain=True)
                finally:
                    self.rng = main
                start = busy_until + 1000
            busy_until = self._one_run(start, new_data=(kind == "data"))
        return self.latent

    def _run_name(self, start: int) -> str:
        us = self.rng.randint(0, 999)
        while True:
            dt = datetime.fromtimestamp(start / 1000, UTC)
            name = dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{start % 1000:03d}{us:03d}"
            if name not in self.w.run_names:
                self.w.run_names[name] = None
                return name
            us += 1
            if us > 999:
                us, start = 0, start + 1

    def _one_run(self, start: int, new_data: bool, retrain: bool = False) -> int:
        s = self.s
        rng = self.rng
        name = self._run_name(start)
        ctx = self.w.context("pipeline_run", name, start)
        self.w.parent_context(ctx, self.pipeline_ctx)
        n_steps = 10 + len(s.arms) * 4
        cancel_at = rng.randrange(n_steps) if rng.random() < self.mech.cancel_prob else -1
        run = _Run(ctx, start + rng.randint(20, 200), cancel_at, retrain=retrain)
        with contextlib.suppress(_RunStopped):
            self._pipeline_steps(run, new_data)
        return run.clock

    def _pipeline_steps(self, run: _Run, new_data: bool) -> None:
        s = self.s
        rng = self.rng
        rows = s.rows_per_span
        # a run ingests a new span when data arrived, and always while the rolling window is not yet full
        fresh = new_data or len(self.spans) < s.window
        if fresh:
            # the spans that landed before the newest one: a new pipeline backfills its rolling window's
            # history (the W - 1 spans before the newest; a backfill cut short by a failure is resumed by
            # the next run, so every Trainer reads a full window and none grows span by span), then a
            # strided pipeline ingests the stride's earlier spans on every run; each is summarised
            for _ in range(max(s.window - 1 - len(self.spans), s.stride - 1)):
                state, examples, n_rows = self._example_gen(run, self.next_span)
                if s.has_stats:
                    self._statistics_gen(run, examples, self.next_span, n_rows)
                self.spans.append((self.next_span, examples, self.concept))
                self.next_span += 1
        # ExampleGen: the new span, else the latest one (-> CACHED)
        span = self.next_span if fresh else self.spans[-1][0]
        state, examples, n_rows = self._example_gen(run, span)
        if state == STATE_COMPLETE:
            self.spans.append((span, examples, self.concept))
            self.next_span = span + 1
        window_spans = self.spans[-s.window :]
        window = [a for _, a, _ in window_spans]
        newest = window[-1]
        stats = schema = None
        if s.has_stats:
            stats = self._statistics_gen(run, newest, span, n_rows)
            _, _, o = self.execute(
                run,
                "SchemaGen",
                "SchemaGen",
                [("statistics", [stats])],
                [("schema", "Schema", [])],
                cpu=rng.uniform(2, 12),
                props=[("infer_feature_shape", 1, 1), ("exclude_splits", "[]", 1)],
            )
            schema = o[0][0]
        anomalies: int | None = None
        frozen = run.clock - T0_MS >= s.freeze_ms
        if s.has_validator and stats is not None and schema is not None:
            rate = max(s.anomaly_rate, self.mech.freeze_anomaly_rate) if frozen else s.anomaly_rate
            n_anom = rng.randint(1, 4) if rng.random() < rate else 0
            _, vstate, o = self.execute(
                run,
                "ExampleValidator",
                "ExampleValidator",
                [("statistics", [stats]), ("schema", [schema])],
                [
                    (
                        "anomalies",
                        "ExampleAnomalies",
                        [("split_names", '["train", "eval"]', 0), ("span", span, 1), ("num_anomalies", n_anom, 1)],
                    )
                ],
                cpu=rng.uniform(3, 25),
                props=[("exclude_splits", "[]", 1)],
            )
            if vstate == STATE_COMPLETE:
                self.anomalous = n_anom > 0
            anomalies = o[0][0] if self.anomalous else None
        tgraph = hparams = None
        upstream: list[tuple[str, list[int]]] = [("examples", window)]
        if s.has_transform and schema is not None:

            def transform(inputs: list[tuple[str, list[int]]]) -> int:
                _, _, out = self.execute(
                    run,
                    "Transform",
                    "Transform",
                    inputs,
                    [("transform_graph", "TransformGraph", [])],
                    cpu=rows * len(window) * 1e-4 + 30,
                    props=[
                        ("module_path", self._module_path("transform", _digest(s.name, "transform")), 1),
                        ("force_tf_compat_v1", 0, 1),
                        ("disable_statistics", 1, 1),
                    ],
                )
                return out[0][0]

            tgraph = transform([("examples", window), ("schema", [schema])])
            if anomalies is not None and s.anomaly_response == "transform":
                # the anomalies are repaired in a second Transform pass that reads the first one's graph
                tgraph = transform(
                    [
                        ("examples", window),
                        ("schema", [schema]),
                        ("transform_graph", [tgraph]),
                        ("anomalies", [anomalies]),
                    ]
                )
            upstream = [("examples", window), ("transform_graph", [tgraph]), ("schema", [schema])]
        # the Tuner runs on the first run and then re-tunes now and then (never in a frozen pipeline, whose
        # team works on the successor); a Trainer without a fresh Tuner run uses the hyperparameters baked into
        # its module (no hyperparameters input)
        self.tuned = False
        retune_ok = not (frozen and self.mech.freeze_stops_retune)
        if (
            s.has_tuner
            and tgraph is not None
            and schema is not None
            and (not self.nodes.get("Tuner") or (rng.random() < self.mech.retune_prob and retune_ok))
        ):
            _, tuner_state, o = self.execute(
                run,
                "Tuner",
                "Tuner",
                upstream,
                [("best_hyperparameters", "HyperParameters", [])],
                cpu=rows * len(window) * 1.2e-3 + 300,
                props=[
                    ("module_path", self._module_path("tuner", _digest(s.name, "tuner")), 1),
                    ("tune_args", '{"num_parallel_trials": 4}', 1),
                ],
            )
            hparams = o[0][0]
            upstream = [*upstream, ("hyperparameters", [hparams])]
            self.tuned = tuner_state == STATE_COMPLETE
        c_now = window_spans[-1][2]
        c_fit = sum(c for _, _, c in window_spans) / len(window_spans)
        teacher_model: int | None = None
        trained: list[tuple[Arm, int, _Decision | None]] = []  # arm, model id, push decision if fresh
        handed = anomalies is not None and s.anomaly_response == "trainer"  # the Trainer drops the flagged features
        for arm in s.arms:
            inputs = list(upstream)
            warm = s.archetype == "warmstart" and arm.last_model is not None
            if warm and arm.last_model is not None:
                inputs.append(("base_model", [arm.last_model]))
            if arm.role == "student" and teacher_model is not None:
                inputs.append(("teacher_model", [teacher_model]))
            if handed and anomalies is not None:
                inputs.append(("anomalies", [anomalies]))
            cpu = rows * len(window) * 2e-4 * _TYPE_COST[arm.model_type] * rng.lognormvariate(0, 0.3) + 60
            if arm.role == "teacher":
                cpu *= 3
            if warm:
                cpu *= 0.4
            steps = 1000 * rng.choice((1, 2, 5, 10))
            cfg = json.dumps({"model_type": arm.model_type, "architecture": arm.architecture})
            outputs: list[tuple[str, str, Props]] = [("model", "Model", []), ("model_run", "ModelRun", [])]
            if handed and self.mech.anomaly_trainer_schema:
                outputs.append(("trained_schema", "Schema", []))
            node = self.nodes.get(arm.node_id)
            if (
                arm.role == "teacher"
                and node is not None
                and node.key is not None
                and node.key[1:] == (arm.code_digest,)
                and rng.random() >= self.mech.teacher_retrain
            ):  # replay the teacher's last training: the same inputs and code, so TFX caches it
                recorded: tuple[tuple[str, tuple[int, ...]], ...] = node.key[0]  # type: ignore[assignment]
                inputs = [(k, list(ids)) for k, ids in recorded]
                outputs = [(k, "", []) for k, _ in node.outputs]
            teid, tstate, o = self.execute(
                run,
                arm.node_id,
                "Trainer",
                inputs,
                outputs,
                cpu=cpu,
                props=[
                    ("module_path", self._module_path(arm.module, arm.code_digest), 1),
                    ("code_version", arm.code_digest, 1),
                    ("model_type", arm.model_type, 1),
                    ("architecture", arm.architecture, 1),
                    ("train_args", json.dumps({"num_steps": steps}), 1),
                    ("eval_args", '{"num_steps": 200}', 1),
                    ("custom_config", cfg, 1),
                ],
                cache_extra=(arm.code_digest, run.context)
                if run.retrain and arm.role != "teacher"
                else (arm.code_digest,),
                fail_key="Trainer",
            )
            model = o[0][0]
            if arm.role == "teacher":
                teacher_model = model
            decision = None
            if tstate == STATE_COMPLETE:
                arm.last_model = model
                quality = arm.skill + rng.gauss(0, arm.sigma_train) + (self.mech.warm_bonus if warm else 0.0)
                if self.tuned:
                    quality += self.mech.tuner_gain
                decision = self._decide(arm, teid, model, quality, c_now, c_fit, run.clock, anomalies is not None)
            trained.append((arm, model, decision))
        for arm, model, decision in trained:
            if not arm.pushes:
                continue
            if decision is None:
                self._post_cached(run, arm, model, newest, schema)
            else:
                self._post_trainer(run, arm, model, newest, schema, decision)

    def _example_gen(self, run: _Run, span: int) -> tuple[int, int, int]:
        """ExampleGen on one span: (state, Examples artifact id, rows); CACHED when the span was ingested."""
        s = self.s
        rows = s.rows_per_span
        fp = f"split:single_split,num_files:{1 + span % 7},total_bytes:{rows * 211 + span},xor_checksum:{span}"
        n_rows = int(rows * self.rng.uniform(0.85, 1.15))
        _, state, outs = self.execute(
            run,
            s.example_gen,
            s.example_gen,
            [],
            [
                (
                    "examples",
                    "Examples",
                    [
                        ("split_names", '["train", "eval"]', 0),
                        ("span", span, 1),
                        ("version", 0, 1),
                        ("num_examples", n_rows, 1),
                        ("input_fingerprint", fp, 1),
                    ],
                )
            ],
            cpu=n_rows * 2e-4 + 20,
            props=[
                ("input_base", f"gs://data/{s.name}/span-*", 1),
                ("span", span, 1),
                ("input_fingerprint", fp, 1),
                ("output_data_format", 6, 1),
            ],
            cache_extra=(span,),
            fail_key="ExampleGen",
        )
        return state, outs[0][0], n_rows

    def _statistics_gen(self, run: _Run, examples: int, span: int, n_rows: int) -> int:
        """StatisticsGen on one span's Examples: the ExampleStatistics artifact id."""
        _, _, o = self.execute(
            run,
            "StatisticsGen",
            "StatisticsGen",
            [("examples", [examples])],
            [
                (
                    "statistics",
                    "ExampleStatistics",
                    [
                        ("split_names", '["train", "eval"]', 0),
                        ("span", span, 1),
                        ("num_examples", n_rows, 1),
                        ("feature_stats", self._feature_stats(), 1),
                    ],
                )
            ],
            cpu=self.s.rows_per_span * 3e-4 + 10,
            props=[("exclude_splits", "[]", 1)],
        )
        return o[0][0]

    def _module_path(self, module: str, digest: str) -> str:
        comp = "Trainer" if "trainer" in module else module.capitalize()
        return f"{module}@{self.root}/_wheels/tfx_user_code_{comp}-0.0+{digest}-py3-none-any.whl"

    def _decide(
        self,
        arm: Arm,
        trainer: int,
        model: int,
        quality: float,
        c_now: float,
        c_fit: float,
        now: int,
        flagged: bool,
    ) -> _Decision:
        """The latent push probability of a freshly trained model, and the draws that realise it.

        Quality on the current data loses ``drift_penalty`` per unit of concept distance between the
        training window and the newest span; the baseline (the arm's last pushed model) loses it for
        the distance between its own window and the newest span. The Evaluator blesses when the
        measured improvement beats the change threshold and the measured quality clears the
        pipeline's value threshold (both measured with noise); the InfraValidator may reject; the
        Pusher refuses while the pipeline's push throttle is on.
        """
        s = self.s
        m = self.mech
        rng = self.rng
        q_now = quality - m.drift_penalty * abs(c_now - c_fit)
        frozen = now - T0_MS >= s.freeze_ms
        throttled = frozen or (arm.last_push_ms is not None and now - arm.last_push_ms < s.throttle_ms)
        p = 0.0 if throttled or not arm.pushes else 1 - self.fail["Pusher"] * s.flaky
        blessed = infra_ok = True
        if arm.evaluated:
            if arm.base_q is None:
                p_cmp, cmp_ok = 1.0, True
            else:
                stale = m.drift_penalty * abs(c_now - arm.base_fit) + m.stale_per_run * arm.runs_since_push
                delta = q_now - (arm.base_q - stale)
                p_cmp = _phi((delta - arm.threshold) / m.sigma_eval)
                cmp_ok = delta + rng.gauss(0, m.sigma_eval) > arm.threshold
            p_abs = _phi(q_now / m.sigma_bound)
            abs_ok = q_now + rng.gauss(0, m.sigma_bound) > 0
            blessed = cmp_ok and abs_ok and not flagged and not (frozen and m.freeze_fails_evaluation)
            p *= 0.0 if flagged else p_cmp * p_abs * (1 - self.fail["Evaluator"] * s.flaky)
            if s.has_infra:
                infra_ok = rng.random() < m.infra_pass
                p *= m.infra_pass * (1 - self.fail["InfraValidator"] * s.flaky)
        arm.runs_since_push += 1
        latent = LatentRow(self.store, trainer, s.name, s.archetype, arm.node_id, "COMPLETE", round(p, 6), 0)
        self.latent.append(latent)
        return _Decision(latent, quality, c_fit, blessed, infra_ok, throttled)

    def _post_cached(self, run: _Run, arm: Arm, model: int, newest: int, schema: int | None) -> None:
        """A CACHED trainer: its Evaluator/InfraValidator/Pusher are CACHED too when their inputs match."""
        suffix = f"_{arm.suffix}" if arm.suffix else ""
        names = [f"Evaluator{suffix}", f"InfraValidator{suffix}", f"Pusher{suffix}"]
        type_keys = ["Evaluator", "InfraValidator", "Pusher"]
        for node_id, type_key in zip(names, type_keys, strict=True):
            node = self.nodes.get(node_id)
            if node is None or node.key is None or not node.outputs:
                continue
            recorded: tuple[tuple[str, tuple[int, ...]], ...] = node.key[0]  # type: ignore[assignment]
            inputs = [(k, list(ids)) for k, ids in recorded]
            if model not in (i for _, ids in inputs for i in ids):
                return  # the node last ran on another model: nothing to re-publish
            self.execute(
                run,
                node_id,
                type_key,
                inputs,
                [(k, "", []) for k, _ in node.outputs],
                cpu=0.0,
                props=[],
                cache_extra=node.key[1:],
            )

    def _post_trainer(self, run: _Run, arm: Arm, model: int, newest: int, schema: int | None, d: _Decision) -> None:
        s = self.s
        rng = self.rng
        blessing = infra = None
        suffix = f"_{arm.suffix}" if arm.suffix else ""
        if arm.evaluated:
            bprops: Props = [
                ("blessed", int(d.blessed), 1),
                ("current_model", f"{self.root}/{arm.node_id}/model/", 1),
                ("current_model_id", model, 1),
            ]
            if arm.base_model is not None:
                bprops += [("baseline_model", arm.base_uri, 1), ("baseline_model_id", arm.base_model, 1)]
            ev_inputs = [("examples", [newest]), ("model", [model])]
            if schema is not None:
                ev_inputs.append(("schema", [schema]))
            _, _, o = self.execute(
                run,
                f"Evaluator{suffix}",
                "Evaluator",
                ev_inputs,
                [("evaluation", "ModelEvaluation", []), ("blessing", "ModelBlessing", bprops)],
                cpu=s.rows_per_span * 1e-4 + 40,
                props=[
                    ("eval_config", '{"metrics_specs":[{"metrics":[{"class_name":"AUC"}]}]}', 1),
                    ("fairness_indicator_thresholds", "null", 1),
                ],
                cache_extra=(arm.base_model,),
            )
            blessing = o[1][0]
            if s.has_infra:
                _, _, o = self.execute(
                    run,
                    f"InfraValidator{suffix}",
                    "InfraValidator",
                    [("model", [model]), ("examples", [newest])],
                    [("blessing", "InfraBlessing", [("blessed", int(d.infra_ok), 1)])],
                    cpu=rng.uniform(60, 400),
                    props=[("serving_spec", '{"tensorflow_serving":{}}', 1)],
                )
                infra = o[0][0]
        push_time = run.clock
        pushed = d.blessed and d.infra_ok and not d.throttled
        pprops: Props = [("pushed", int(pushed), 1)]
        if pushed:
            version = str(push_time // 1000)
            pprops += [
                ("pushed_version", version, 1),
                ("pushed_destination", f"/serving/{s.name}{suffix}/{version}", 1),
            ]
        p_inputs = [("model", [model])]
        if blessing is not None:
            p_inputs.append(("model_blessing", [blessing]))
        if infra is not None:
            p_inputs.append(("infra_blessing", [infra]))
        self.execute(
            run,
            f"Pusher{suffix}",
            "Pusher",
            p_inputs,
            [("pushed_model", "PushedModel", pprops)],
            cpu=rng.uniform(2, 30),
            props=[
                ("push_destination", json.dumps({"filesystem": {"base_directory": f"/serving/{s.name}"}}), 1),
                ("custom_config", "null", 1),
            ],
        )
        if pushed:
            d.latent.pushed = 1
            arm.last_push_ms = push_time
            arm.runs_since_push = 0
            arm.base_q = d.quality
            arm.base_fit = d.fit
            arm.base_model = model
            arm.base_uri = f"{self.root}/{arm.node_id}/model/"


_TYPE_COST = {"DNN": 1.0, "Linear": 0.15, "Tree": 0.4, "DNN+Linear": 1.2, "Ensemble": 2.5}


@dataclass
class _Decision:
    latent: LatentRow
    quality: float
    fit: float
    blessed: bool
    infra_ok: bool
    throttled: bool


@dataclass
class _Run:
    context: int
    clock: int
    cancel_at: int
    step: int = 0
    stopped_state: int = 0
    retrain: bool = False  # a scheduled run whose span is late: its Trainers retrain on the spans they had
