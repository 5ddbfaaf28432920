"""``cnncalc fit``: the largest batch whose training peak (or inference peak) fits
a memory budget, solved rather than searched.

For a fixed spec, every moment that can be a training step's peak
(:attr:`~cnncalc.memory.MemoryFigures.training_loads`: the optimizer step, each
node's backward, each node's forward) is affine in the batch: bytes per sample
(activations, their gradients, what autograd keeps) plus fixed bytes
(parameters, gradients, optimizer state, per-channel statistics, autocast's
weight copies). So is each moment of a forward pass without gradients
(:attr:`~cnncalc.memory.MemoryFigures.inference_loads`) plus the parameters. Two runs, at batch 1 and 2, give each
moment's line; the largest batch is the smallest, over the lines, of
``(budget - fixed) // per_sample``. The peak is the largest of the lines, not
one line: VGG16's Adam step (fixed) dominates small batches, its backward
(per sample) large ones. A run at the answer and one at the next batch check it;
the figures shown are those of the run at the answer.

Pure: returns data; render/largest_batch.py words it.
"""

from __future__ import annotations

from .engine import run
from .graph import Graph
from .limits import MAX_SIZE
from .record import record
from .report import Report

# (per-sample bytes, fixed bytes) of one moment
Line = tuple[int, int]


@record
class Fit:
    """The answer of ``cnncalc fit``, as data."""

    budget: int  # bytes
    inference: bool  # the inference peak (plus parameters) was fitted, not the training peak
    batch: int  # the largest batch that fits; 0 when not even batch 1 does
    report: Report  # the run at ``batch`` (at batch 1 when nothing fits)
    peak: int  # the fitted figure at ``batch`` (at 1 when nothing fits)
    next_peak: int  # the fitted figure at ``batch + 1``; 0 when ``batch`` is the largest the engine takes
    per_sample: int  # at the moment of the peak: the bytes each sample adds
    fixed: int  # and the bytes no batch changes (parameters, gradients, optimizer state)


def peak_of(report: Report, inference: bool) -> int:
    """The figure ``fit`` holds to the budget: the training peak, or the inference peak plus the parameters."""
    t = report.totals
    return t.inference_peak_bytes + t.param_bytes if inference else t.training_peak_bytes


def _moments(report: Report, inference: bool) -> tuple[int, ...]:
    """Every figure that can be the peak (the peak is their largest)."""
    if report.memory is None or (inference and not report.memory.inference_loads):
        return (peak_of(report, inference),)
    if inference:  # mixed precision: autocast's weight copies pile up as the pass goes
        return tuple(report.totals.param_bytes + level for level in report.memory.inference_loads)
    return report.memory.training_loads


def lines(one: Report, two: Report, inference: bool) -> list[Line]:
    """Each moment's (per sample, fixed) from the runs at batch 1 and 2."""
    return [(b - a, a - (b - a)) for a, b in zip(_moments(one, inference), _moments(two, inference), strict=True)]


def solve(moment_lines: list[Line], budget: int) -> int:
    """The largest batch (at most MAX_SIZE) at which every line stays within ``budget``; 0 if none."""
    batch = MAX_SIZE
    for per_sample, fixed in moment_lines:
        if per_sample > 0:
            batch = min(batch, (budget - fixed) // per_sample)
        elif fixed > budget:
            return 0
    return max(batch, 0)


def largest_batch(graph: Graph, budget: int, *, inference: bool = False, **options: object) -> Fit:
    """Solve for the largest batch of ``graph`` within ``budget`` bytes; ``options`` are
    engine.run's (dtype, input, optimizer, precision). The answer is checked by two runs."""

    def at(batch: int) -> Report:
        return run(graph, batch=batch, receptive_field=False, **options)  # type: ignore[arg-type]

    one = at(1)
    moment_lines = lines(one, at(2), inference)
    batch = solve(moment_lines, budget)
    report = at(batch) if batch > 1 else one
    peak = peak_of(report, inference)
    next_peak = peak_of(at(batch + 1), inference) if batch < MAX_SIZE else 0
    shown = max(batch, 1)
    per_sample, fixed = max(moment_lines, key=lambda line: line[0] * shown + line[1])
    # the lines are exact: the runs must agree with them to the byte, at the answer and past it
    predicted = per_sample * shown + fixed
    if predicted != peak or (batch and peak > budget) or (next_peak and next_peak <= budget):
        raise AssertionError(
            f"fit: the solved batch {batch} disagrees with the engine ({predicted}, {peak}, {next_peak})"
        )
    return Fit(budget, inference, batch, report, peak, next_peak, per_sample, fixed)
