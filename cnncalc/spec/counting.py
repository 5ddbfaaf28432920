"""The layer limit: how many layers a list expands to, counted before anything
is built (each construct says how it counts), so a spec far past the limit is
refused at once, not after a million layers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import SourceLoc, SpecError
from ..limits import MAX_DEPTH
from ..record import field, record
from ..registry import REGISTRY
from .constructs import construct_for
from .yamltree import YMap, YSeq


@record(frozen=False, slots=False)
class Counter:
    blocks: Mapping[str, Any]
    max_layers: int
    counted: dict[int, int] = field(default_factory=dict)  # id(list in a block) → count()
    kinds: dict[str, Any] = field(default_factory=dict)  # type name → its construct (None: unknown), looked up once

    def count(
        self,
        items: Any,
        variables: Mapping[str, Any] | None,
        depth: int,
        in_use: tuple[str, ...] = (),
        memo: dict[int, int] | None = None,
    ) -> int:
        """How many layers ``items`` expands to, without building anything: a lower
        bound (exact when repeat counts are known; what is not known counts 0).
        ``variables`` is None inside a block's definition (its arguments are unknown).
        Aliases and blocks share lists: ``memo`` counts each list once."""
        if not isinstance(items, YSeq) or depth > MAX_DEPTH:
            return 0
        if variables is None:
            memo = self.counted  # no variables: the same count on every call
        elif memo is None:
            memo = {}
        if id(items) not in memo:
            memo[id(items)] = sum(self.count_item(item, variables, depth, in_use, memo) for item in items)
        return memo[id(items)]

    def count_item(
        self,
        item: Any,
        variables: Mapping[str, Any] | None,
        depth: int,
        in_use: tuple[str, ...],
        memo: dict[int, int] | None = None,
    ) -> int:
        if isinstance(item, str):
            kind, body = item, None
        elif isinstance(item, YMap) and len(item) == 1:
            kind, body = next(iter(item.items()))
        else:
            return 0
        construct = self.kinds.get(kind, _UNSEEN)
        if construct is _UNSEEN:  # the blocks are fixed while counting: one lookup per name
            construct = self.kinds[kind] = construct_for(kind, self.blocks)
        if construct is None:
            return 1  # an unknown type: its error comes when it is built
        return construct.count(self, kind, body, variables, depth, in_use, memo)

    def refuse_oversized(self, items: Any, variables: Mapping[str, Any]) -> None:
        """Refuse a spec that expands past the limit before building any of it,
        pointing at the top-level layer where the count crosses it."""
        if not isinstance(items, YSeq):
            return
        total, crossing, memo = 0, None, dict[int, int]()
        plain = set(REGISTRY.types) | set(REGISTRY.aliases)  # a bare layer type counts one: most items
        for i, item in enumerate(items):
            total += 1 if type(item) is str and item in plain else self.count_item(item, variables, 0, (), memo)
            if crossing is None and total > self.max_layers:
                crossing = i
        if crossing is None:
            return
        item, at = items[crossing], items.locs[crossing]
        if isinstance(item, YMap) and len(item) == 1:
            kind, body = next(iter(item.items()))
            construct = construct_for(kind, self.blocks)
            at = construct.count_at(body, item.key_locs[kind]) if construct else item.key_locs[kind]
        raise SpecError(
            f"the spec expands to at least {count_text(total)} layers, more than the limit of {self.max_layers:,}",
            at,
            "lower the repeat counts, or raise the limit with --max-layers",
        )

    def refuse_repeat(self, total: int, times: int, at: SourceLoc, per_pass: int | None = None) -> None:
        """The error for a repeat that takes the spec past the layer limit."""
        if total <= self.max_layers:
            return
        each = f" ({times:,} × {per_pass:,} layers)" if per_pass is not None else ""
        raise SpecError(
            f"this repeat takes the spec to {'' if each else 'at least '}{count_text(total)} layers, "
            f"more than the limit of {self.max_layers:,}{each}",
            at,
            "lower 'times', or raise the limit with --max-layers",
        )


_UNSEEN = object()


def count_text(n: int) -> str:
    """1,000,000,000; 10^30 (a lower bound for a count that long)."""
    return f"{n:,}" if n < 10**15 else f"10^{len(str(n)) - 1}"
