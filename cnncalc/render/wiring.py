"""Where a row's input comes from, as the table shows it (a DAG's wiring).

The table's layout already says what most rows read: the row above, the tensor
before a merge for the first row of each of its branches, the tensor before a
head for the row after it. A row that reads anything else (``from``, a block
use or repeat with ``from``, a second input) is named after a ``←``, as a
merge's inputs are: Keras's "Connected to", only where the graph branches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..graph import Group
from ..report import Report, Row
from .escape import visible


def hint(names: Iterable[str]) -> str:
    """The names after a ``←``, comma-separated; a name that holds a comma is quoted, so
    ``← 'a, b', c`` reads as two tensors, not three."""
    return ", ".join(f"'{shown}'" if "," in (shown := visible(name)) else shown for name in names)


def chain(group_id: int | None, groups: tuple[Group, ...]) -> list[Group]:
    """The groups a row sits in, outermost first."""
    found: list[Group] = []
    while group_id is not None:
        group = groups[group_id]
        found.append(group)
        group_id = group.parent
    return found[::-1]


def laid_out(report: Report) -> list[str]:
    """For each row, the tensor the table's layout says it reads."""
    current = next(iter(report.inputs), "input")  # the first layer reads the first input
    forks: dict[int | None, str] = {}  # a merge's parent group → what its branches read
    heads: list[tuple[int, str]] = []  # open heads: (group, the tensor before it)
    opened: set[int] = set()
    out = []
    for row in report.rows:
        groups = chain(row.group, report.groups)
        within = {group.id for group in groups}
        while heads and heads[-1][0] not in within:  # a head ended: the main path goes on from before it
            current = heads.pop()[1]
        for group in groups:
            if group.id in opened:
                continue
            opened.add(group.id)
            if group.kind == "branch":  # the first branch of a merge sets what every branch reads
                current = forks.setdefault(group.parent, current)
            elif group.kind == "head":
                heads.append((group.id, current))
        forks.pop(row.group, None)  # a row in the merge's own list (the merge itself) ends its branches
        out.append(current)
        current = row.name
    return out


def read_names(report: Report) -> list[tuple[str, ...]]:
    """For each row, the names of what it reads as the table shows them after
    its type: every input of a merge, the input of a row that reads another
    tensor than its layout says; () for the rest."""
    names = {row.name for row in report.rows}
    hints: list[tuple[str, ...]] = []
    for row, expected in zip(report.rows, laid_out(report)):
        if len(row.inputs) > 1 or row.inputs != (expected,):
            hints.append(shown(row.inputs, row.name, names))
        else:
            hints.append(())
    return hints


def shown(inputs: Iterable[str], reader: str, names: set[str]) -> tuple[str, ...]:
    """Inputs as the tree shows them beside ``reader``: local if in the reader's own
    block, else in full (a shortcut from the block before is not this block's relu2).
    Should an outer name also be a name inside the reader's block (ViT's first
    encoder block reads the top-level dropout1 and has a dropout1 of its own), every
    name is in full, so neither reads as the other."""
    inputs = tuple(inputs)
    prefix = reader.rpartition(".")[0]
    if not prefix:
        return inputs
    inside = prefix + "."
    if any(not name.startswith(inside) and inside + name in names for name in inputs):
        return inputs
    return tuple(name[len(inside) :] if name.startswith(inside) else name for name in inputs)


def reads_from_outside(rows: Sequence[Row], previous: str) -> tuple[str, ...]:
    """For a flat listing (CSV-like Markdown, where no tree shows branches): what a line of
    ``rows`` (one layer, or a folded block) reads from outside itself, in order; () when that
    is only ``previous``, the tensor of the line above. A merge names all it joins."""
    inside = {row.name for row in rows} if len(rows) > 1 else set()
    outside = tuple(dict.fromkeys(name for row in rows for name in row.inputs if name not in inside))
    return () if outside == (previous,) else outside


def has_wiring(report: Report) -> bool:
    """Some layer reads another tensor than the one before it (a merge, ``from``, a second input)."""
    previous = next(iter(report.inputs), "input")
    for row in report.rows:
        if row.inputs != (previous,):
            return True
        previous = row.name
    return False
