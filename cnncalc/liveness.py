"""Which layers are dead: their output reaches no output of the network (SPEC-FORMAT
version 2: a warning, not an error; their figures still count in the totals).

Data only: the engine turns the answer into warnings, the renderers print them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


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
