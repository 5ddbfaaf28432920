"""The report: frozen data with ``to_dict()`` (the JSON contract of
SPEC-FORMAT.md). Renderers read it; nothing here formats text for humans."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from .errors import Diagnostic, SourceLoc
from .graph import Group
from .record import field, fields, record
from .shapes import Division

Shape = tuple[int, ...]


@record
class AxisRF:
    """Receptive field on one axis: size r, jump (input pixels between adjacent
    outputs) and start (input coordinate of the first output's centre)."""

    size: Fraction | int  # ints while the arithmetic stays whole (faster; equal values)
    jump: Fraction | int
    start: Fraction | int


def _number(value: Fraction | int) -> int | float:
    if type(value) is int:
        return value
    if value.denominator == 1:
        return int(value)
    try:
        return float(value)
    except OverflowError:  # beyond 1.8e308 (strides of 2^31, many times): the nearest int
        return round(value)


def _float(value: Fraction | int) -> float | int:
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
    summary: str  # the type and key arguments, compact: "conv 3×3 /2 p1"
    inputs: tuple[str, ...]  # names of the rows it reads ("input" for the spec's input)
    loc: SourceLoc
    group: int | None
    attention_matrix: int = 0  # elements of its attention matrices × batch (heads·N² per window)
    tokens: bool = False  # the output is tokens [D, N] (shown as "197 tokens × 768")

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

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
            "params": self.params,
            "trainable": self.trainable,
            "non_trainable": self.non_trainable,
            "macs": self.macs,
            "activations": self.activations,
            "exact": self.exact,
            "rf": self.rf_dict(),
        }
        # version 2 keys, on the rows they concern only (version 1 rows keep their keys)
        if self.tokens:
            row["tokens"] = True
        if self.attention_matrix:
            row["attention_matrix"] = self.attention_matrix
        return row


@record
class Totals:
    params: int
    trainable: int
    non_trainable: int
    macs: int
    flops: int
    activations: int
    activation_bytes: int
    param_bytes: int
    inexact_layers: int
    attention_matrix: int = 0  # elements of every attention matrix, × batch
    attention_matrix_bytes: int = 0  # what they would take if materialised (no fused kernel)

    def to_dict(self) -> dict[str, int]:
        totals = {f.name: getattr(self, f.name) for f in fields(self)}
        if not self.attention_matrix:  # a network without attention keeps version 1's keys
            del totals["attention_matrix"], totals["attention_matrix_bytes"]
        return totals


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "input": list(self.input),
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
