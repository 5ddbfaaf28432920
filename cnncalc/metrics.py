"""Every figure cnncalc totals, declared once.

A :class:`Metric` says what the figure is called, its unit, what one layer
contributes, how the network's total is reached and whether ``cnncalc check``
can budget it. ``Totals`` and its JSON keys (in this order), the JSON and CSV
layer columns, the table's and Markdown's columns and footers, ``compare``'s
lines and ``check``'s ``--max-*`` options all iterate :data:`METRICS`: a new
metric is one declaration here and its test (see docs/architecture.md).

Ground floor: no cnncalc module but ``record`` is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import attrgetter, not_
from typing import TYPE_CHECKING, Any, Protocol

from .record import record

if TYPE_CHECKING:
    from .memory import MemoryFigures
    from .report import Row

# Units: how a figure is read back (``--max-memory 100MiB``) and shown (138.36 M, 527.79 MiB).
COUNT = "count"
MACS = "MACs"
ELEMENTS = "elements"
BYTES = "bytes"
LAYERS = "layers"


class Tally:
    """What totals are made of: the rows, the input's elements (× batch) and the
    element size. Each sum over the rows runs once, in C (``map``/``attrgetter``:
    a 100,000-layer spec must not pay a Python call per row and metric)."""

    def __init__(
        self, rows: Sequence[Row], input_elements: int, dtype_bytes: int, memory: MemoryFigures | None = None
    ) -> None:
        self.rows = rows
        self.input_elements = input_elements
        self.dtype_bytes = dtype_bytes
        self.memory = memory  # the memory model's figures (cnncalc.memory), worked out by the engine
        self._sums: dict[str, int] = {}
        self._totals: dict[str, int] = {}

    def sum(self, attribute: str) -> int:
        """The rows' ``attribute`` summed."""
        found = self._sums.get(attribute)
        if found is None:
            found = self._sums[attribute] = sum(map(attrgetter(attribute), self.rows))
        return found

    def __getitem__(self, key: str) -> int:
        """Another metric's total."""
        found = self._totals.get(key)
        if found is None:
            found = self._totals[key] = BY_KEY[key].total(self)
        return found


def _nothing(elements: int, dtype_bytes: int) -> int:
    return 0


@record
class Metric:
    key: str  # the JSON key in "totals" (and in every layer, when per_row)
    label: str  # what compare and check call it: "activation memory"
    unit: str  # COUNT, MACS, ELEMENTS, BYTES or LAYERS
    row: Callable[[Row, int], int]  # one layer's figure, given the element size in bytes
    total: Callable[[Tally], int]  # the network's: the rows' figures summed, plus the input's share
    input: Callable[[int, int], int] = _nothing  # the spec's input tensor's share (elements × batch, element size)
    per_row: bool = False  # the row's figure is the Row attribute ``key``: a key of every JSON layer, a CSV column
    column: str = ""  # its column's heading in the table and Markdown ("" for none)
    budget: str = ""  # check's ``--max-<budget>`` ("" when it cannot be budgeted)
    compared: bool = True  # a line of ``cnncalc compare``
    optional: bool = False  # written (JSON, footers) only where it is not 0: version 1 networks keep version 1's keys
    row_key: str = ""  # per_row: the Row attribute and JSON layer key, when not ``key``
    additive: bool = True  # the total is the rows' figures summed (a peak is not: no share per row)
    views: tuple[str, ...] = ("default", "memory")  # the table views (summary --view) that show its column

    @property
    def option(self) -> str:
        return f"--max-{self.budget}"


def _per_row(
    key: str, label: str, unit: str, total: Callable[[Tally], int] | None = None, row_key: str = "", **options: Any
) -> Metric:
    """A figure every row holds as the attribute ``row_key`` (``key`` unless given);
    the total, unless said otherwise, is their sum."""
    attribute = row_key or key
    get = attrgetter(attribute)
    summed = total or (lambda t: t.sum(attribute))
    return Metric(key, label, unit, lambda row, _: get(row), summed, per_row=True, row_key=attribute, **options)


def _memory(key: str, label: str, figure: str, **options: Any) -> Metric:
    """A total of the memory model (cnncalc.memory), no share per row."""
    get = attrgetter(figure)
    return Metric(
        key, label, BYTES, lambda row, _: 0, lambda t: get(t.memory) if t.memory else 0, additive=False, **options
    )


def _inexact(row: Row, _: int) -> int:
    return 1 if not row.exact and not row.allow_inexact else 0


def _inexact_total(rows: Sequence[Row]) -> int:
    """The inexact layers not allowed to be: a Python call only for the few inexact rows."""
    return sum(map(_inexact, compress(rows, map(not_, map(attrgetter("exact"), rows))), repeat(0)))


METRICS: tuple[Metric, ...] = (
    _per_row(
        "params", "params", COUNT,
        total=lambda t: t["trainable"] + t["non_trainable"], column="params", budget="params",
    ),
    _per_row("trainable", "trainable params", COUNT),
    _per_row("non_trainable", "non-trainable params", COUNT, compared=False),
    _per_row("macs", "MACs", MACS, column="MACs", budget="macs", views=("default",)),
    Metric("flops", "FLOPs", MACS, lambda row, _: 2 * row.macs, lambda t: 2 * t["macs"], compared=False),
    _per_row(
        "activations", "activations", ELEMENTS,
        total=lambda t: t.input_elements + t.sum("activations"), input=lambda n, _: n, compared=False,
    ),
    Metric(
        "activation_bytes", "activation memory", BYTES,
        lambda row, size: row.activations * size, lambda t: t["activations"] * t.dtype_bytes,
        input=lambda n, size: n * size, column="memory", budget="memory",
    ),
    Metric("param_bytes", "parameter memory", BYTES, lambda row, size: row.params * size,
           lambda t: t["params"] * t.dtype_bytes),
    # memory a GPU owner can plan on (docs/memory.md): the liveness peak of one forward pass,
    # what autograd keeps for backward, and the whole training step (--optimizer, --precision)
    _memory("inference_peak_bytes", "inference peak", "inference_peak", budget="inference-memory"),
    _per_row(
        "saved_activation_bytes", "saved for backward", BYTES, row_key="saved_bytes", column="saved",
        views=("memory",),  # the memory view's column: what autograd keeps of each layer
    ),
    _memory("grad_bytes", "gradients", "grads", compared=False),
    _memory("optimizer_bytes", "optimizer state", "optimizer", compared=False),
    _memory("training_peak_bytes", "training peak", "training_peak", budget="training-memory"),
    Metric("inexact_layers", "inexact layers", LAYERS, _inexact, lambda t: _inexact_total(t.rows),
           compared=False),  # compare counts every inexact layer, allowed or not
    # elements of every attention matrix (heads·N² per window) × batch, and what they would take if
    # materialised (no fused kernel): only networks with attention have them
    _per_row("attention_matrix", "attention matrix", ELEMENTS, compared=False, optional=True),
    Metric(
        "attention_matrix_bytes", "attention matrix memory", BYTES,
        lambda row, size: row.attention_matrix * size, lambda t: t["attention_matrix"] * t.dtype_bytes,
        optional=True, column="attention",  # a column and a compare line where a spec has attention
    ),
)  # fmt: skip

BY_KEY: dict[str, Metric] = {metric.key: metric for metric in METRICS}
ROW_KEYS: tuple[str, ...] = tuple(metric.row_key for metric in METRICS if metric.per_row and not metric.optional)
OPTIONAL_ROW_KEYS: tuple[str, ...] = tuple(metric.row_key for metric in METRICS if metric.per_row and metric.optional)
OPTIONAL_KEYS: frozenset[str] = frozenset(metric.key for metric in METRICS if metric.optional)
VIEWS = ("default", "memory")  # summary --view: the default figures, or memory's (no MACs; what autograd saves)
COLUMNS: tuple[Metric, ...] = tuple(m for m in METRICS if m.column and not m.optional and "default" in m.views)
OPTIONAL_COLUMNS: tuple[Metric, ...] = tuple(m for m in METRICS if m.column and m.optional)


class _Figures(Protocol):
    def __getitem__(self, key: str, /) -> int: ...


def columns(totals: _Figures, view: str = "default") -> tuple[Metric, ...]:
    """The table's figure columns for a network in a view: the view's columns, then the
    optional ones it has (the attention matrices' memory where there is attention)."""
    shown = tuple(m for m in METRICS if m.column and not m.optional and view in m.views)
    return shown + tuple(m for m in OPTIONAL_COLUMNS if view in m.views and totals[m.key])


def in_footer(metric: Metric, view: str) -> bool:
    """Whether a view's footer has the metric's line: every one, but the memory view's leaves out compute (MACs, FLOPs)."""
    return not (view == "memory" and metric.unit == MACS)


BUDGETS: dict[str, Metric] = {metric.budget: metric for metric in METRICS if metric.budget}


def totals(
    rows: Sequence[Row], input_elements: int, dtype_bytes: int, memory: MemoryFigures | None = None
) -> dict[str, int]:
    """Every metric's total, in declaration order (the order of JSON "totals")."""
    tally = Tally(rows, input_elements, dtype_bytes, memory)
    return {metric.key: tally[metric.key] for metric in METRICS}
