"""The report: frozen data with ``to_dict()`` (the JSON contract of
docs/spec-contract.md). Renderers read it; nothing here formats text for humans."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from .errors import Diagnostic, SourceLoc
from .graph import Group
from .memory import MemoryFigures
from .metrics import OPTIONAL_KEYS, OPTIONAL_ROW_KEYS, ROW_KEYS
from .record import field, record
from .registry import REGISTRY
from .shapes import Division

Shape = tuple[int, ...]


@record
class AxisRF:
    """Receptive field on one axis: size r, jump (input pixels between adjacent
    outputs) and start (input coordinate of the first output's centre)."""

    size: Fraction | int | float  # ints while the arithmetic stays whole (faster; equal values);
    jump: Fraction | int | float  # floats past 2^64 (engine.RF_EXACT), so numbers stay bounded
    start: Fraction | int | float
    span: Any = None  # rf.Span: what each output position sees, once upsampling made it uneven


def _number(value: Fraction | int | float) -> int | float:
    if isinstance(value, int | float):  # ints and floats (past 2^64) as they are
        return value
    if value.denominator == 1:
        return int(value)
    try:
        return float(value)
    except OverflowError:  # beyond 1.8e308 (strides of 2^31, many times): the nearest int
        return round(value)


def _float(value: Fraction | int | float) -> float | int:
    try:
        return float(value)
    except OverflowError:  # beyond 1.8e308: the nearest int (JSON has no larger float)
        return round(value)


@record
class Row:
    name: str
    type: str
    path: str
    depth: int
    output: Shape
    trainable: int
    non_trainable: int
    macs: int
    activations: int  # elements × batch; 0 for in-place layers and views
    exact: bool
    allow_inexact: bool
    divisions: tuple[Division, ...]
    rf: tuple[AxisRF, ...] | None
    args: Any  # its type's argument record, as the loader built it
    rank: int  # spatial axes of its (first) input: how its label writes an int size ("3" → "3×3")
    inputs: tuple[str, ...]  # names of the tensors it reads ("input", or its name, for the spec's input)
    loc: SourceLoc
    group: int | None
    attention_matrix: int = 0  # elements of its attention matrices × batch (heads·N² per window)
    tokens: bool = False  # the output is tokens [D, N] (shown as "197 tokens × 768")
    saved_bytes: int = 0  # what autograd keeps of it for backward (each tensor counted at its first keeper)
    frozen: int = 0  # of its non_trainable, the params 'trainable: false' froze (the rest: BatchNorm running stats)

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    @property
    def summary(self) -> str:
        """The type and its key arguments, "conv 3×3 /2 p1", by the type's
        registered label function (for scripts; render/ makes the tables' own)."""
        return REGISTRY.types[self.type].summary(self.args, self.rank)

    def rf_dict(self) -> dict[str, list[Any]] | None:
        if self.rf is None:
            return None
        return {
            "size": [_number(a.size) for a in self.rf],
            "jump": [_number(a.jump) for a in self.rf],
            "start": [_float(a.start) for a in self.rf],
        }

    def to_dict(self) -> dict[str, Any]:
        row = {
            "name": self.name,
            "type": self.type,
            "path": self.path,
            "depth": self.depth,
            "output": list(self.output),
            **{key: getattr(self, key) for key in ROW_KEYS},
            "exact": self.exact,
            "rf": self.rf_dict(),
        }
        # version 2 keys, on the rows they concern only (version 1 rows keep their keys)
        if self.tokens:
            row["tokens"] = True
        for key in OPTIONAL_ROW_KEYS:
            value = getattr(self, key)
            if value:
                row[key] = value
        row["inputs"] = list(self.inputs)  # version 2: on every row, last (version 1 consumers ignore it)
        return row


class Totals:
    """The network's figures, one per metric of :mod:`cnncalc.metrics`, in its
    order: ``totals.macs``, ``totals["macs"]``, ``to_dict()`` for JSON."""

    __slots__ = ("_values",)
    _values: dict[str, int]

    def __init__(self, values: Mapping[str, int]) -> None:
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, key: str) -> int:
        if key.startswith("_"):  # copy and pickle look for hooks before _values is set
            raise AttributeError(key)
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(f"no metric '{key}'; see cnncalc.metrics") from None

    def __getitem__(self, key: str) -> int:
        return self._values[key]

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("Totals are frozen")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Totals) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        return "Totals(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"

    def __reduce__(self) -> tuple[type, tuple[dict[str, int]]]:
        return Totals, (self._values,)

    def to_dict(self) -> dict[str, int]:
        """JSON's "totals": a metric written only where it applies is left out at 0."""
        return {key: value for key, value in self._values.items() if value or key not in OPTIONAL_KEYS}


@record(slots=False)
class Report:
    name: str
    file: str
    input: Shape
    batch: int
    dtype: str
    dtype_bytes: int
    rows: tuple[Row, ...]
    outputs: Mapping[str, Shape]
    totals: Totals
    input_activations: int
    groups: tuple[Group, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    output_rows: Mapping[str, int] = field(default_factory=dict)  # output name → row index (-1: the input)
    optimizer: str = "adam"  # what the training-memory figures assume
    precision: str = "fp32"
    memory: MemoryFigures | None = None  # the memory figures' details (the totals hold their bytes)
    inputs: Mapping[str, Shape] = field(default_factory=dict)  # every input, name → shape, in order

    def input_shapes(self) -> tuple[Shape, ...]:
        """Every input's shape, in order (the first is ``input``)."""
        return tuple(self.inputs.values()) if self.inputs else (self.input,)

    def tensor_shape(self, index: int) -> Shape:
        """The shape of a node's input by graph index: a row's output, or input k at -1 - k."""
        return self.rows[index].output if index >= 0 else self.input_shapes()[-1 - index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input": list(self.input),  # version 1: the first input's shape
            "inputs": {name: list(shape) for name, shape in (self.inputs or {"input": self.input}).items()},
            "batch": self.batch,
            "dtype": self.dtype,
            "layers": [row.to_dict() for row in self.rows],
            "outputs": {name: list(shape) for name, shape in self.outputs.items()},
            "totals": self.totals.to_dict(),
        }

    def final_rf(self) -> Row | None:
        """The last row on the main path that still has a receptive field (the
        last spatial feature map, before global pooling); heads are not followed."""
        index = {row.name: i for i, row in enumerate(self.rows)}
        at = self.output_rows.get("main", len(self.rows) - 1)
        while at >= 0:
            row = self.rows[at]
            if row.rf is not None:
                return row
            at = index.get(row.inputs[0], -1) if row.inputs else -1
        return None
