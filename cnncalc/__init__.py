"""cnncalc: shapes, params, MACs, memory and receptive field of a CNN from a
YAML spec, by arithmetic alone.

    >>> import cnncalc
    >>> report = cnncalc.analyze("specs/vgg16.yaml")
    >>> report.totals.trainable
    138357544

In a notebook the report shows itself as the HTML report's table
(``_repr_html_``); ``report.table()`` prints the terminal table and
``report.rows()`` gives one dict per layer, ready for ``pandas.DataFrame``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .errors import CnnCalcError, Diagnostic, SourceLoc, SpecError
from .report import Report, Row

__all__ = ["CnnCalcError", "Diagnostic", "Report", "SourceLoc", "SpecError", "analyze", "load_graph"]
__version__ = "0.1.0"


def load_graph(
    source: str | os.PathLike[str] | Mapping[str, Any],
    *,
    args: Mapping[str, Any] | None = None,
    max_layers: int | None = None,
) -> Any:
    """The expanded graph of a spec given as a path, YAML text or a dict."""
    from .pipeline import graph_of  # not at import: `import cnncalc` stays light

    return graph_of(source, _options(args=args, max_layers=max_layers))


def analyze(
    source: str | os.PathLike[str] | Mapping[str, Any],
    *,
    batch: int = 1,
    dtype: str | None = None,
    input: tuple[int, ...] | None = None,
    args: Mapping[str, Any] | None = None,
    max_layers: int | None = None,
) -> NotebookReport:
    """Analyse a spec (a path, YAML text or a dict) and return the report.

    ``args`` overrides the spec's top-level ``args`` (``--set``); ``input``
    replaces its input shape (channels first)."""
    from .pipeline import graph_of, report_of

    options = _options(batch=batch, dtype=dtype, input=input, args=args, max_layers=max_layers)
    return shown(report_of(graph_of(source, options), options))


def _options(*, args: Mapping[str, Any] | None, max_layers: int | None, **given: Any) -> Any:
    """The pipeline's Options for the API's keywords (None: the default)."""
    from .pipeline import Options

    if max_layers is not None:
        given["max_layers"] = max_layers
    return Options(overrides=args or {}, **given)


class Rows(tuple[Row, ...]):
    """A report's rows, as ever (``rows[-1].output``); called, one plain dict per
    layer for ``pandas.DataFrame(report.rows())``: the same keys on every row, the
    JSON layer's figures with the type's label (``summary``) and the receptive
    field as two columns (None where it is global)."""

    def __call__(self) -> list[dict[str, Any]]:
        from .metrics import METRICS

        keys = [metric.row_key or metric.key for metric in METRICS if metric.per_row]
        found = []
        for row in self:
            rf = row.rf_dict()
            found.append(
                {
                    "name": row.name,
                    "type": row.type,
                    "summary": row.summary,
                    "path": row.path,
                    "depth": row.depth,
                    "output": list(row.output),
                    **{key: getattr(row, key) for key in keys},
                    "exact": row.exact,
                    "rf_size": rf["size"] if rf else None,
                    "rf_jump": rf["jump"] if rf else None,
                    "inputs": list(row.inputs),
                    "line": row.loc.line,
                }
            )
        return found


class NotebookReport(Report):
    """The report ``analyze`` returns: a :class:`Report` that shows itself. Its
    ``repr`` is one line; a notebook shows the HTML report's table."""

    rows: Rows

    def __repr__(self) -> str:
        from .render.units import count, nbytes, shape_text

        t = self.totals
        return (
            f"<cnncalc report {self.name or self.file!r}: input {shape_text(self.input)}, batch {self.batch}, "
            f"{len(self.rows):,} layers, {count(t.params)} params, {count(t.macs)} MACs, "
            f"{nbytes(t.activation_bytes)} activations>"
        )

    def _repr_html_(self) -> str:
        from .render import fold_levels
        from .render.html import report_fragment

        return report_fragment(self, depth=fold_levels(self, None)[0])

    def table(self, *, depth: str | None = None, width: int = 120) -> None:
        """Print the terminal table (``cnncalc summary``'s), ``depth`` as ``--depth``."""
        from .render import document

        note, pieces = document(self, "table", depth=depth, width=width)
        print("".join(pieces) + (note and note + "\n"), end="")


def shown(report: Report) -> NotebookReport:
    """``report`` as a NotebookReport, its rows callable."""
    from .record import fields

    values = {f.name: getattr(report, f.name) for f in fields(report)}
    return NotebookReport(**{**values, "rows": Rows(report.rows)})
