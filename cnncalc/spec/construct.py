"""What every kind of item in a list of layers declares (see :mod:`.constructs`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import SourceLoc
from ..registry import REGISTRY, LayerType

if TYPE_CHECKING:
    from .builder import Builder, Scope
    from .counting import Counter

Memo = dict[int, int] | None
Variables = Mapping[str, Any] | None


class Construct:
    """One kind of item in a list of layers."""

    leaf = False  # its own mistakes are noted and the reading goes on (check: every mistake)

    def lower(
        self,
        b: Builder,
        written: str,
        body: Any,
        body_loc: SourceLoc,
        at: SourceLoc,
        scope: Scope,
        current: int,
        path: str,
    ) -> int:
        """Add its nodes after ``current``; the index of its output."""
        raise NotImplementedError

    def count(
        self,
        counter: Counter,
        kind: str,
        body: Any,
        variables: Variables,
        depth: int,
        in_use: tuple[str, ...],
        memo: Memo,
    ) -> int:
        """A lower bound of the layers it adds, before anything is built."""
        return 1

    def count_at(self, body: Any, at: SourceLoc) -> SourceLoc:
        """Where to point when its count takes the spec past the limit."""
        return at

    def schema(self, layer_ref: str, name: str) -> dict[str, Any]:
        """The JSON Schema of what follows its key (``layer_ref``: the schema of a layer)."""
        return {"$ref": f"#/$defs/args_{layer_type_named(name).name}"}


def _layer_type(name: str) -> LayerType:
    layer_type = REGISTRY.get(name)
    assert layer_type is not None, name
    return layer_type


def layer_type_named(name: str) -> LayerType:
    layer_type = REGISTRY.get(name)
    assert layer_type is not None, name
    return layer_type
