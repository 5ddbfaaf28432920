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
    rewired: bool = False  # a "replace" of layers alike but for what they read (a skip connection moved)


def _key(row: Row) -> tuple[Any, ...]:
    """What makes two layers the same, names aside."""
    return (row.type, row.args, row.rank, row.output, row.trainable, row.non_trainable, row.macs)


MAX_ALIGNED = 4_000_000  # rows × rows that difflib aligns (quadratic on repetitive layers); past it, by position


def diff(base: Report, other: Report) -> tuple[Hunk, ...]:
    """The layers of ``other`` against ``base``: aligned by what each layer is, then
    told apart by wiring, what they read: two layers alike that read tensors which
    do not correspond (one skip connection moved) are a 'replace' of their own."""
    a, b = [_key(r) for r in base.rows], [_key(r) for r in other.rows]
    return tuple(
        Hunk("replace" if op == REWIRED else op, base.rows[i1:i2], other.rows[j1:j2], op == REWIRED)
        for op, i1, i2, j1, j2 in _rewired(_opcodes(a, b), base, other)
    )


Opcode = tuple[str, int, int, int, int]
REWIRED = "rewired"  # an opcode of _rewired's: a replace for wiring alone


def _rewired(ops: list[Opcode], base: Report, other: Report) -> list[Opcode]:
    """The equal runs split where a pair of matched layers reads tensors that are
    not matched to each other. A tensor only one spec has (an inserted layer) is
    not a difference of wiring: the diff shows that layer already. The spec's
    inputs correspond by name."""
    matched = {i1 + k: j1 + k for op, i1, i2, j1, _ in ops if op == "equal" for k in range(i2 - i1)}
    b_matched = set(matched.values())
    a_index = {row.name: i for i, row in enumerate(base.rows)}
    b_index = {row.name: j for j, row in enumerate(other.rows)}

    def same_wiring(i: int, j: int) -> bool:
        a_inputs, b_inputs = base.rows[i].inputs, other.rows[j].inputs
        if len(a_inputs) != len(b_inputs):
            return False
        for a_name, b_name in zip(a_inputs, b_inputs):
            a_at, b_at = a_index.get(a_name), b_index.get(b_name)
            if a_at is None or b_at is None:  # a spec's input on either side: the same input, by name
                if a_at != b_at or a_name != b_name:
                    return False
            elif a_at in matched and b_at in b_matched and matched[a_at] != b_at:
                return False
        return True

    out: list[Opcode] = []
    for op, i1, i2, j1, j2 in ops:
        if op != "equal":
            out.append((op, i1, i2, j1, j2))
            continue
        start = 0
        for k in range(i2 - i1):
            if not same_wiring(i1 + k, j1 + k):
                if k > start:
                    out.append(("equal", i1 + start, i1 + k, j1 + start, j1 + k))
                out.append((REWIRED, i1 + k, i1 + k + 1, j1 + k, j1 + k + 1))
                start = k + 1
        if i2 - i1 > start:
            out.append(("equal", i1 + start, i2, j1 + start, j2))
    return out


def _opcodes(a: list[Any], b: list[Any]) -> list[Opcode]:
    """difflib's opcodes, bounded: the common head and tail are matched in linear time,
    and a middle too long for difflib (two long, similar specs took minutes) is
    aligned position by position, as two specs of the same layout are."""
    if len(a) * len(b) <= MAX_ALIGNED:
        return list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    a_mid, b_mid = a[head : len(a) - tail], b[head : len(b) - tail]
    middle: list[Opcode]
    if len(a_mid) * len(b_mid) <= MAX_ALIGNED:
        middle = list(difflib.SequenceMatcher(None, a_mid, b_mid, autojunk=False).get_opcodes())
    else:
        middle = _by_position(a_mid, b_mid)
    ops: list[Opcode] = [("equal", 0, head, 0, head)] if head else []
    ops += [(op, i1 + head, i2 + head, j1 + head, j2 + head) for op, i1, i2, j1, j2 in middle if i1 < i2 or j1 < j2]
    if tail:
        ops.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    return _joined(ops)


def _by_position(a: list[Any], b: list[Any]) -> list[Opcode]:
    ops: list[Opcode] = []
    for i in range(min(len(a), len(b))):
        op = "equal" if a[i] == b[i] else "replace"
        if ops and ops[-1][0] == op:
            ops[-1] = (op, ops[-1][1], i + 1, ops[-1][3], i + 1)
        else:
            ops.append((op, i, i + 1, i, i + 1))
    n = min(len(a), len(b))
    if len(a) > n:
        ops.append(("delete", n, len(a), n, n))
    if len(b) > n:
        ops.append(("insert", n, n, n, len(b)))
    return ops


def _joined(ops: list[Opcode]) -> list[Opcode]:
    """Adjacent runs of the same kind as one (difflib never gives two in a row)."""
    out: list[Opcode] = []
    for op in ops:
        if out and out[-1][0] == op[0] == "equal":
            out[-1] = ("equal", out[-1][1], op[2], out[-1][3], op[4])
        else:
            out.append(op)
    return out


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
