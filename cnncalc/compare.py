"""``cnncalc compare``: reports side by side, each metric with its ratio to the
first, then where the layers differ. Diffs reports (data), never text. Pure."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from .metrics import LAYERS, METRICS as DECLARED
from .record import record
from .registry import ACTIVATION, REGISTRY
from .report import Report, Row

LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Compare's own lines, after the declared metrics that say ``compared``: (key, label, unit)
STRUCTURE = (
    ("rf", "receptive field (last map)", ""),
    ("weight_layers", "weight layers", LAYERS),
    ("nonlinearities", "nonlinearities", LAYERS),
    ("inexact_layers", "inexact layers", LAYERS),
)
METRICS = (*((m.key, m.label, m.unit) for m in DECLARED if m.compared), *STRUCTURE)
OPTIONAL = frozenset(m.key for m in DECLARED if m.optional)  # a line only where some spec has it


def weight_layers(report: Report) -> int:
    """Layers that multiply their input by weights (conv, depthwise, transposed, dense)."""
    return sum(1 for row in report.rows if row.macs > 0)


def nonlinearities(report: Report) -> int:
    """Activation layers (relu, gelu, ...)."""
    return sum(1 for row in report.rows if row.type in REGISTRY.tagged(ACTIVATION))


def final_rf(report: Report) -> tuple[int | float, ...] | None:
    row = report.final_rf()
    if row is None or row.rf is None:
        return None
    return tuple(
        int(a.size) if not isinstance(a.size, float) and a.size.denominator == 1 else float(a.size) for a in row.rf
    )


def metric_values(report: Report) -> dict[str, Any]:
    return {
        **{m.key: report.totals[m.key] for m in DECLARED if m.compared},
        "rf": final_rf(report),
        "weight_layers": weight_layers(report),
        "nonlinearities": nonlinearities(report),
        "inexact_layers": sum(1 for row in report.rows if not row.exact),  # allowed or not: the size is floored
    }


def ratio(value: Any, base: Any) -> Fraction | None:
    """value / base exactly; for receptive fields, the common ratio of every axis."""
    if isinstance(value, tuple) and isinstance(base, tuple):
        if len(value) != len(base) or not base:
            return None
        ratios = {ratio(v, b) for v, b in zip(value, base)}
        return ratios.pop() if len(ratios) == 1 else None
    if isinstance(value, int | float) and isinstance(base, int | float) and base:
        return Fraction(value) / Fraction(base)
    return None


@record(slots=False)
class Metric:
    key: str
    label: str
    values: tuple[Any, ...]
    ratios: tuple[Fraction | None, ...]  # to the first spec; None for the first
    unit: str = ""  # of cnncalc.metrics ("" for the receptive field)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "values": [list(v) if isinstance(v, tuple) else v for v in self.values],
            "ratios": [None if r is None else float(r) for r in self.ratios],
            "fractions": [None if r is None else f"{r.numerator}/{r.denominator}" for r in self.ratios],
        }


@record(slots=False)
class Hunk:
    """A run of layers: the same in both ('equal'), or only in one of them."""

    op: str  # "equal", "replace", "delete" (only in the first), "insert" (only in the other)
    removed: tuple[Row, ...]
    added: tuple[Row, ...]


def _key(row: Row) -> tuple[Any, ...]:
    """What makes two layers the same, names aside."""
    return (row.type, row.args, row.rank, row.output, row.trainable, row.non_trainable, row.macs)


def diff(base: Report, other: Report) -> tuple[Hunk, ...]:
    matcher = difflib.SequenceMatcher(None, [_key(r) for r in base.rows], [_key(r) for r in other.rows], autojunk=False)
    return tuple(Hunk(op, base.rows[i1:i2], other.rows[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes())


@record(slots=False)
class Comparison:
    labels: tuple[str, ...]
    sources: tuple[str, ...]  # file names, or the inline stacks as written
    reports: tuple[Report, ...]
    metrics: tuple[Metric, ...]
    diffs: tuple[tuple[Hunk, ...], ...]  # diffs[i]: spec i+1 against the first


def compare(reports: Sequence[Report], sources: Sequence[str]) -> Comparison:
    if len(reports) > len(LABELS):
        raise ValueError(f"compare takes at most {len(LABELS)} specs")
    values = [metric_values(r) for r in reports]
    metrics = tuple(
        Metric(
            key,
            label,
            tuple(v[key] for v in values),
            (None, *(ratio(v[key], values[0][key]) for v in values[1:])),
            unit,
        )
        for key, label, unit in METRICS
        if key not in OPTIONAL or any(v[key] for v in values)
    )
    return Comparison(
        tuple(LABELS[: len(reports)]),
        tuple(sources),
        tuple(reports),
        metrics,
        tuple(diff(reports[0], r) for r in reports[1:]),
    )
