"""The loader's output and the engine's input: a flat DAG of primitive nodes
in execution order. Blocks, repeats, separable convs and branches are already
expanded; groups remember them so the table can fold rows back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import SourceLoc
from .record import field, record

INPUT = -1  # the index that stands for the spec's (first) input tensor


def input_index(k: int) -> int:
    """The index that stands for the spec's k-th input (0-based): -1, -2, ... so that
    lists holding the nodes' tensors followed by the inputs in reverse find them."""
    return -1 - k


@record
class Group:
    """A block instance, repeat, branch, head or composite layer."""

    id: int
    label: str
    kind: str
    parent: int | None
    depth: int


@record
class Node:
    index: int
    name: str
    type: str  # the registry's canonical name
    args: Any  # the layer type's frozen dataclass
    inputs: tuple[int, ...]
    loc: SourceLoc
    arg_locs: Mapping[str, SourceLoc]
    path: str
    depth: int
    group: int | None = None
    frozen: bool = False  # 'trainable: false' on it or around it: its params count as non-trainable


@record(slots=False)
class Graph:
    file: str
    name: str
    input: tuple[int, ...]
    input_loc: SourceLoc
    dtype: str
    nodes: tuple[Node, ...]
    outputs: Mapping[str, int]  # output name → node index ("main" first)
    groups: tuple[Group, ...] = ()
    description: str = ""
    args: Mapping[str, Any] = field(default_factory=dict)
    references: bool = False  # some layer names what it reads ('from'): JSON rows then list their inputs
    inputs: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # name → shape, in order (v2 'inputs')
    input_locs: tuple[SourceLoc, ...] = ()  # where each of 'inputs' is written

    def input_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every input, name → shape, in order; the first is ``input``'s shape."""
        return dict(self.inputs) if self.inputs else {"input": self.input}
