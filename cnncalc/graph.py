"""The loader's output and the engine's input: a flat DAG of primitive nodes
in execution order. Blocks, repeats, separable convs and branches are already
expanded; groups remember them so the table can fold rows back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._frozen import fast_init
from .errors import SourceLoc

INPUT = -1  # the index that stands for the spec's input tensor


@dataclass(frozen=True, slots=True)
class Group:
    """A block instance, repeat, branch, head or composite layer."""

    id: int
    label: str
    kind: str
    parent: int | None
    depth: int


@fast_init  # one per layer
@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True)
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
