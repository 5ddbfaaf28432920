"""What a diagram draws: one item per tensor. A layer row, or a block folded
at ``depth`` as the table folds it (render/grid.py ``lines``); the input is
item 0 (several inputs: items 0, 1, ..., each under its name). With ``merge_pointwise`` a row that only rescales or activates the
tensor before it (batchnorm, relu, dropout: one input, same shape, no MACs)
joins that item, as papers draw one block per conv + BN + ReLU."""

from __future__ import annotations

from ...record import field, record
from ...report import Report, Row
from ..escape import visible
from ..table import lines
from ..units import layers_text, type_label

Shape = tuple[int, ...]


@record(frozen=False, slots=False)
class Item:
    index: int
    name: str  # the layer's name or the folded block's label (visible text)
    kinds: list[str]  # type labels: 'conv 3×3 p1', then what joined it ('relu'); a folded block's kind
    rows: list[Row]  # the rows it stands for (none for the input)
    shape: Shape
    tokens: bool = False
    folded: bool = False
    preds: list[int] = field(default_factory=list)  # the items it reads, its main input first

    @property
    def is_input(self) -> bool:
        """One of the spec's inputs: the only items that stand for no row."""
        return not self.rows

    @property
    def kind(self) -> str:
        return " · ".join(self.kinds)


def _folded_kind(report: Report, kind: str, label: str, rows: list[Row]) -> str:
    """'bottleneck ×2 (20 layers)': a folded repeat says what it repeats and how often."""
    layers = layers_text(len(rows))
    if kind != "repeat" or " ×" not in label:
        return f"{kind} ({layers})"
    chain = []
    group_id = rows[0].group
    while group_id is not None:
        chain.append(report.groups[group_id])
        group_id = report.groups[group_id].parent
    chain.reverse()
    inner = [g.kind for g, parent in zip(chain[1:], chain) if parent.label == label and parent.kind == "repeat"]
    return f"{inner[0] if inner else kind} ×{label.rsplit(' ×', 1)[1]} ({layers})"


def items(report: Report, depth: int | None, merge_pointwise: bool = True) -> list[Item]:
    """The items in execution order, each with the items it reads."""
    inputs = dict(report.inputs) if len(report.inputs) > 1 else {"input": report.input}
    found = [Item(k, visible(name), ["input"], [], shape) for k, (name, shape) in enumerate(inputs.items())]
    item_of: dict[str, int] = {name: k for k, name in enumerate(inputs)}
    readers: dict[str, int] = {}
    for row in report.rows:
        for name in row.inputs:
            readers[name] = readers.get(name, 0) + 1
    for line in lines(report, depth):
        if line.header:
            continue
        last = line.rows[-1]
        if line.folded:
            kind = _folded_kind(report, line.kind, line.name, line.rows)
            item = Item(len(found), line.name, [kind], list(line.rows), last.output, last.tokens, folded=True)
        else:
            prev = found[-1]
            if merge_pointwise and _pointwise(last, prev, readers):
                prev.kinds.append(last.type)
                prev.rows.append(last)
                prev.shape, prev.tokens = last.output, last.tokens
                item_of[last.name] = prev.index
                continue
            item = Item(len(found), line.name, [type_label(last)], [last], last.output, last.tokens)
        inside = {row.name for row in item.rows}
        for row in item.rows:
            for name in row.inputs:
                source = item_of.get(name, 0)
                if name not in inside and source not in item.preds:
                    item.preds.append(source)
            item_of[row.name] = item.index
        found.append(item)
    return found


def _pointwise(row: Row, prev: Item, readers: dict[str, int]) -> bool:
    """Whether ``row`` only changes the values of the tensor ``prev`` made (and nothing else reads it)."""
    if prev.folded or not prev.rows or len(row.inputs) != 1 or row.macs:
        return False
    source = prev.rows[-1]
    return row.inputs[0] == source.name and row.output == source.output and readers.get(source.name, 0) == 1
