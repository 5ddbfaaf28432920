"""Which layers are dead: their output reaches no output of the network (docs/spec-contract.md,
version 2: a warning, not an error; their figures still count in the totals); and
which node ranges are module calls, whose arguments the caller holds until they return.

Data only: the engine turns the answer into warnings, the renderers print them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .graph import Group

# groups that are not a call of their own: a repeat is a run of layers (the blocks of an
# nn.Sequential are its own children), a branch or a head is code inline in its block
NOT_CALLS = frozenset(("repeat", "branch", "head"))


def calls(node_groups: Sequence[int | None], groups: Sequence[Group]) -> list[tuple[int, int]]:
    """The (first, last) node of every module call: each use of a block and each
    composite layer (a separable conv), nested ones included. A group's nodes are
    contiguous in execution order; a group is created before the groups inside it,
    so one pass back over the groups gives each its children's range too."""
    first = [len(node_groups)] * len(groups)
    last = [-1] * len(groups)
    for at, g in enumerate(node_groups):
        if g is not None:
            if last[g] < 0:  # in execution order: its first node
                first[g] = at
            last[g] = at
    for group in reversed(groups):
        if group.parent is not None:
            first[group.parent] = min(first[group.parent], first[group.id])
            last[group.parent] = max(last[group.parent], last[group.id])
    return [(first[g.id], last[g.id]) for g in groups if g.kind not in NOT_CALLS and last[g.id] >= 0]


def dead_nodes(inputs: Sequence[tuple[int, ...]], outputs: Iterable[int]) -> list[int]:
    """The nodes (by index) from which no output can be reached. ``inputs`` by node, in
    execution order: a node reads only earlier tensors, so one sweep backwards from the
    outputs marks every live one (a negative index is an input of the spec)."""
    alive = bytearray(len(inputs))
    for output in outputs:
        if output >= 0:
            alive[output] = 1
    for at in range(len(inputs) - 1, -1, -1):
        if alive[at]:
            for i in inputs[at]:
                if i >= 0:
                    alive[i] = 1
    return [at for at, live in enumerate(alive) if not live]


def dead_ends(inputs: Sequence[tuple[int, ...]], dead: list[int]) -> dict[int, int]:
    """Among the dead nodes, those no node reads (where a dead path ends), each with the
    number of dead nodes it depends on: one warning per dead end, not per layer."""
    is_dead = set(dead)
    read = {i for at in dead for i in inputs[at]}
    ends: dict[int, int] = {}
    for end in (at for at in dead if at not in read):
        before, stack = set(), [end]
        while stack:
            for i in inputs[stack.pop()]:
                if i in is_dead and i not in before:
                    before.add(i)
                    stack.append(i)
        ends[end] = len(before)
    return ends
