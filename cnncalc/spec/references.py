"""References to earlier tensors (``from``, ``outputs``, docs/spec-contract.md's version 2): a name,
``input``, an input's name, ``R.k`` (pass k of a repeat), ``R.*`` (all of its passes,
in a merge's ``from`` only) or a negative count, resolved to the index of the node
that made the tensor (an input's index is negative: -1 - k for input k).

Every name is visible in the list of layers (the namespace) it was defined in:
a block sees its own layers, its input as ``input`` and the spec's inputs, and
nothing inside a block is visible outside it (one block serves every use). So a
reference can only name a tensor made before it, and the graph has no cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import SourceLoc, SpecError, did_you_mean
from .yamltree import YMap, YSeq, describe

if TYPE_CHECKING:
    from ..registry import LayerType
    from .builder import Builder, Scope

ALL_PASSES = "*"


def reference(b: Builder, ref: Any, at: SourceLoc, scope: Scope, what: str = "from") -> int:
    """The node an item's ``from`` names: an earlier layer's name (as the table shows
    it, inside a block without the block's prefix), ``input``, an input's name,
    ``R.k``, or -k, the output of the k-th item before it in the same list."""
    b.referenced = True
    if isinstance(ref, int) and not isinstance(ref, bool):
        return _counted_back(b, ref, at, what)
    if not isinstance(ref, str) or not ref:
        raise SpecError(f"{what} must name an earlier layer, not {describe(ref)}", at, "write a name, 'input' or -1")
    if ref == "input":
        return scope.entry
    found = _visible(b, ref, scope)
    if found is not None:
        return found
    passes = _passes(b, ref, at, scope, what)
    if passes is not None:
        if ref.endswith("." + ALL_PASSES):
            raise SpecError(
                f"{what}: '{ref}' stands for every pass of a repeat, and only a merge's 'from' list takes several",
                at,
                f"merge them, e.g. 'concat: {{from: [{ref}]}}', or name one pass: '{ref[:-1]}1'",
            )
        return passes[0]
    if ref in b.inputs:
        return b.inputs[ref]
    raise _unknown(b, ref, at, scope, what)


def references(b: Builder, refs: YSeq, scope: Scope) -> list[int]:
    """A merge's ``from`` list, each ``R.*`` expanded into the repeat's passes in order."""
    found: list[int] = []
    for i, ref in enumerate(refs):
        at = refs.locs[i]
        if isinstance(ref, str) and ref.endswith("." + ALL_PASSES) and _visible(b, ref, scope) is None:
            b.referenced = True
            passes = _passes(b, ref, at, scope, "from")
            if passes is None:
                raise _unknown(b, ref, at, scope, "from")
            found += passes
        else:
            found.append(reference(b, ref, at, scope))
    if len(found) < 2:
        raise SpecError(
            f"'from' names {len(found)} tensor{'s' if len(found) != 1 else ''}; a merge needs at least two",
            refs.loc,
            "a repeat of one pass has one output: name another tensor beside it",
        )
    return found


def source(b: Builder, args: Any, scope: Scope, current: int) -> int:
    """What a single-input item reads: its ``from``, or the previous item's output."""
    if isinstance(args, YMap) and "from" in args:
        return reference(b, args["from"], args.value_locs["from"], scope)
    return current


def tensor_arguments(b: Builder, layer_type: LayerType, args: Any, scope: Scope) -> list[int]:
    """The tensors a layer reads the shape of (``like: X``), after its input."""
    names = _TENSOR_ARGUMENTS.get(layer_type.name)
    if names is None:
        names = _TENSOR_ARGUMENTS[layer_type.name] = tuple(s.name for s in layer_type.schema if s.kind == "tensor")
    if not names or not isinstance(args, YMap):
        return []
    return [reference(b, args[name], args.value_locs[name], scope, name) for name in names if name in args]


_TENSOR_ARGUMENTS: dict[str, tuple[str, ...]] = {}  # by type: its arguments that are references


def _counted_back(b: Builder, ref: int, at: SourceLoc, what: str) -> int:
    before = b.history[-1] if b.history else []
    if ref >= 0:
        raise SpecError(
            f"{what}: {ref} is not an earlier layer", at, "count back with -1 (the previous layer), -2, ..."
        )
    if -ref > len(before):
        raise SpecError(
            f"{what}: {ref} reaches before the first layer of this list ({len(before)} before it)",
            at,
            "count back within the list, or name the layer (or 'input')",
        )
    return before[ref]


def _visible(b: Builder, ref: str, scope: Scope) -> int | None:
    """The tensor of that name defined in this list of layers (a head's layers carry its
    prefix, so inside a head both 'x' and 'aux.x' name its layer 'aux.x')."""
    b.sync_names()
    for key in dict.fromkeys((scope.prefix + ref, scope.namespace + ref)):
        found = b.tensors.get(key)
        if found is not None and b.spaces.get(key) == scope.namespace:
            return found
    return None


def _passes(b: Builder, ref: str, at: SourceLoc, scope: Scope, what: str) -> list[int] | None:
    """``R.k`` → [pass k's output]; ``R.*`` → every pass's output; None if ``ref`` is neither."""
    repeat, dot, tail = ref.rpartition(".")
    if not dot or not (tail.isdigit() or tail == ALL_PASSES):
        return None
    for key in dict.fromkeys((scope.prefix + repeat, scope.namespace + repeat)):
        outputs = b.passes.get(key)
        if outputs is not None and b.spaces.get(key) == scope.namespace:
            break
    else:
        return None
    if tail == ALL_PASSES:
        return list(outputs)
    k = int(tail)
    if not 1 <= k <= len(outputs):
        times = f"{len(outputs)} pass{'es' if len(outputs) != 1 else ''}"
        raise SpecError(
            f"{what}: '{ref}' is past the repeat's passes: '{repeat}' has {times}",
            at,
            f"count passes from 1 to {len(outputs)}" if outputs else "a repeat of 0 times has no passes",
        )
    return [outputs[k - 1]]


def _unknown(b: Builder, ref: str, at: SourceLoc, scope: Scope, what: str) -> SpecError:
    """A name that is not visible here: inside a block (from outside), outside this block
    (from inside), or nowhere before this layer."""
    space = scope.namespace
    inside = b.spaces.get(space + ref)
    if inside is not None and inside != space and inside.startswith(space):
        use = _outermost_use(b, inside[len(space) :], space)
        return SpecError(
            f"{what}: '{ref}' is inside the block use '{use}', and a block's layers are not visible outside it",
            at,
            f"read the block's output by its use's name, '{use}', or add the layer outside the block",
        )
    where = "in this block " if space else ""
    visible = [name[len(space) :] for name, s in b.spaces.items() if s == space and name in b.tensors]
    choices = [*visible, *b.passes_named(space), "input", *b.inputs]
    hint = did_you_mean(ref, choices) or "a reference names an earlier layer, 'input', or counts back (-1)"
    if space and ref in b.tensors:
        hint = (
            f"'{ref}' is outside this block: a block sees only its own layers, its input ('input') "
            "and the spec's inputs; give the block use 'from' to read it"
        )
    return SpecError(f"{what}: no layer named '{ref}' {where}before this one", at, hint)


def _outermost_use(b: Builder, rest: str, space: str) -> str:
    """The block use, visible from ``space``, whose namespace holds ``rest`` (``pair1.inner.`` → pair1)."""
    parts = rest.rstrip(".").split(".")
    for n in range(1, len(parts) + 1):
        candidate = ".".join(parts[:n])
        if b.spaces.get(space + candidate) == space:
            return candidate
    return ".".join(parts)
