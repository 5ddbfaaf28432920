"""References to earlier tensors (``from``, SPEC-FORMAT version 2): a name, ``input``
or a negative count resolved to the index of the node that made the tensor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import SourceLoc, SpecError, did_you_mean
from .yamltree import YMap, describe

if TYPE_CHECKING:
    from .builder import Builder, Scope


def reference(b: Builder, ref: Any, at: SourceLoc, scope: Scope) -> int:
    """The node an item's ``from`` names: an earlier layer's name (as the table shows
    it, inside a block without the block's prefix), ``input``, or -k, the output of
    the k-th item before it in the same list."""
    b.referenced = True
    if isinstance(ref, int) and not isinstance(ref, bool):
        before = b.history[-1] if b.history else []
        if ref >= 0:
            raise SpecError(
                f"from: {ref} is not an earlier layer", at, "count back with -1 (the previous layer), -2, ..."
            )
        if -ref > len(before):
            raise SpecError(
                f"from: {ref} reaches before the first layer of this list ({len(before)} before it)",
                at,
                "count back within the list, or name the layer (or 'input')",
            )
        return before[ref]
    if not isinstance(ref, str) or not ref:
        raise SpecError(f"from must name an earlier layer, not {describe(ref)}", at, "write a name, 'input' or -1")
    if ref == "input":
        return scope.entry
    for node in b.nodes[b.synced :]:
        b.tensors[node.name] = node.index
    b.synced = len(b.nodes)
    found = b.tensors.get(scope.namespace + ref)
    if found is None:
        width = len(scope.namespace)
        visible = [name[width:] for name in b.tensors if name.startswith(scope.namespace)]
        where = "in this block " if scope.namespace else ""
        raise SpecError(
            f"from: no layer named '{ref}' {where}before this one",
            at,
            did_you_mean(ref, [*visible, "input"])
            or "a reference names an earlier layer, 'input', or counts back (-1)",
        )
    return found


def source(b: Builder, args: Any, scope: Scope, current: int) -> int:
    """What a single-input item reads: its ``from``, or the previous item's output."""
    if isinstance(args, YMap) and "from" in args:
        return reference(b, args["from"], args.value_locs["from"], scope)
    return current
