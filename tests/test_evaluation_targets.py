"""The targets line of `mlprov evaluate`: what it calls met."""

from __future__ import annotations

from mlprov.features.evaluation import Evaluation, SetResult, targets


def _evaluation(removed: dict[str, float]) -> Evaluation:
    results = {n: SetResult(n, ba=[0.8], removed_full=[r]) for n, r in removed.items()}
    return Evaluation(results, [0], 100, 0, 20, 5, [20], [0.2], [0.2], "f", 3, 1.0)


def _waste_target(ev: Evaluation) -> tuple[str, bool, str]:
    return next(t for t in targets(ev) if "waste removed" in t[0])


def test_waste_removed_counts_only_the_early_sets() -> None:
    # validation removes most waste, but its features exist after the Trainer: not the study's claim
    target, met, detail = _waste_target(_evaluation({"input_pre": 0.30, "input_pre_trainer": 0.25, "validation": 0.86}))
    assert not met and detail == "best: input_pre 30%", detail
    assert "input_pre or input_pre_trainer" in target


def test_waste_removed_met_by_an_early_set_or_its_random_forest() -> None:
    _, met, detail = _waste_target(_evaluation({"input_pre": 0.30, "rf:input_pre_trainer": 0.45}))
    assert met and detail == "best: rf:input_pre_trainer 45%", detail
