"""How one layer maps the input size on one spatial axis, for :mod:`cnncalc.sizes`: a window
(its Division), a linear map, a fixed size, a merge, a ``like``; read off the layer's rule, never
written per type. Pure: no I/O."""

from __future__ import annotations

from typing import Any

from .errors import CnnCalcError, SpecError
from .graph import Graph, Node
from .record import record
from .registry import REGISTRY, apply as apply_rule
from .report import Report
from .shapes import Division


class SizesError(CnnCalcError):
    """The admissible sizes cannot be computed (a layer's size map is not affine,
    or the case split grows past MAX_CASES)."""


class LayerSizesError(SizesError, SpecError):
    """A layer whose size map cannot be solved (it mixes axes, is not affine): located at
    the layer, as a spec error is."""


@record
class WindowMap:
    division: Division
    exact: bool  # the layer must be exact (not same, not allow_inexact)


@record
class LinearMap:
    u: int
    v: int  # out = u·size + v


@record
class FixedMap:
    out: int
    least: int  # the input must be at least this large


@record
class TilingMap:
    """A layer that keeps the size but needs its window to tile it (window
    attention without padding): ``size ≡ 0 (mod stride)``, ``size ≥ k_eff``."""

    division: Division


@record
class MergeMap:
    join: str  # how the inputs meet on this axis (registry: BROADCAST, EQUAL, STACK)


@record
class LikeMap:
    """The output takes the size of another tensor (``like: X``, its second input);
    ``margin``: the input must be at least that tensor's size plus this (a crop: 0),
    None: any input size."""

    margin: int | None


_UNKNOWN: Any = object()


SizeMap = (
    WindowMap | TilingMap | LinearMap | FixedMap | MergeMap | LikeMap | None
)  # None: no spatial axes after this node


def _size_map(node: Node, in_shapes: tuple[tuple[int, ...], ...], axis: int) -> SizeMap:
    """How ``node`` maps spatial axis ``axis`` (0-based among spatial axes).

    Window layers say it through their Division; merges keep the size; any
    other layer is affine in its input size, read off its rule at the actual
    size and the next two (three points confirm it is affine)."""
    first = in_shapes[0]
    if len(first) - 1 <= axis:
        return None
    facts = apply_rule(node, in_shapes)
    if len(facts.output) != len(first):
        return None  # flatten, global pooling: the axis ends here
    if facts.divisions:
        allowed = bool(getattr(node.args, "allow_inexact", False))
        division = facts.divisions[axis]
        if facts.output[axis + 1] != division.out:  # the division constrains the size, the output keeps it
            return TilingMap(division)
        return WindowMap(division, not division.same and not allowed)
    joins = REGISTRY.types[node.type].joins
    if joins is not None:
        return MergeMap(joins(node.args, len(first))[axis + 1])
    if len(in_shapes) > 1:  # `like: X`: the output is X's size, whatever the input's
        least = _least_input(node, in_shapes, axis)
        return LikeMap(None if least == 1 else least - in_shapes[1][axis + 1])
    size = first[axis + 1]
    outputs = [facts.output]
    for extra in (1, 2):
        try:
            outputs.append(apply_rule(node, (_resized(first, axis, size + extra),)).output)
        except SpecError as error:
            raise LayerSizesError(error.message, node.loc) from None
    others = {(*out[: axis + 1], *out[axis + 2 :]) for out in outputs}
    if len(others) > 1 or len({len(out) for out in outputs}) > 1:  # permute, reshape: not one axis alone
        raise LayerSizesError(
            f"{node.type} '{node.name}' mixes a spatial axis with another; sizes cannot solve each axis alone",
            node.loc,
            "sizes handles permute and reshape only after the spatial axes end (flatten, global pooling)",
        )
    outs = [out[axis + 1] for out in outputs]
    u = outs[1] - outs[0]
    if outs[2] - outs[1] != u or u < 0:
        raise LayerSizesError(f"{node.type} '{node.name}' does not map sizes affinely; cannot solve", node.loc)
    if u == 0:  # a fixed output size (crop, slice, upsample to a size, adaptive pooling)
        return FixedMap(outs[0], _least_input(node, in_shapes, axis))
    return LinearMap(u, outs[0] - u * size)


def _resized(shape: tuple[int, ...], axis: int, size: int) -> tuple[int, ...]:
    return (*shape[: axis + 1], size, *shape[axis + 2 :])


def _least_input(node: Node, in_shapes: tuple[tuple[int, ...], ...], axis: int) -> int:
    """The smallest size on ``axis`` the layer accepts (a crop needs at least its
    size): these rules accept every size from some least one on, so bisect."""
    first = in_shapes[0]
    low, high = 1, first[axis + 1]  # the rule holds at the actual size
    while low < high:
        middle = (low + high) // 2
        try:
            apply_rule(node, (_resized(first, axis, middle), *in_shapes[1:]))
            high = middle
        except SpecError:
            low = middle + 1
    return low


def _shapes_read(report: Report, node: Node) -> tuple[tuple[int, ...], ...]:
    return tuple(map(report.tensor_shape, node.inputs))


def size_maps(graph: Graph, report: Report, axis: int, alive: set[int]) -> list[SizeMap]:
    """Each node's size map on ``axis``, in execution order; None for a node whose input no
    longer has the axis (after a flatten to tokens, a reshape or permute concerns no size of it).
    ``alive``: the tensors the solver sizes at the start (the inputs with this axis)."""
    # A size map depends on the layer's type, arguments and input shapes only,
    # and deep specs repeat a few layers many times: work each one out once.
    known: dict[tuple[Any, ...], SizeMap] = {}
    maps: list[SizeMap] = []
    alive = set(alive)
    for node in graph.nodes:
        if node.inputs[0] not in alive:  # as step: the solver passes such a node by
            maps.append(None)
            continue
        in_shapes = _shapes_read(report, node)
        key = (node.type, node.args, in_shapes)
        how = known.get(key, _UNKNOWN)
        if how is _UNKNOWN:
            how = known[key] = _size_map(node, in_shapes, axis)
        maps.append(how)
        # a merge or a `like` sizes its output only when every input has the axis (_merge_step, _like)
        if how is not None and (not isinstance(how, (MergeMap, LikeMap)) or all(i in alive for i in node.inputs)):
            alive.add(node.index)
    return maps


def solving_alike(how: SizeMap) -> Any:
    """What the solver reads of a size map: not the axis's name, nor its actual size."""
    if isinstance(how, WindowMap):
        d = how.division
        if d.same:  # its padding follows the actual size; the solver reads only the stride
            return ("same", d.stride, how.exact)
        return (d.pad_before, d.pad_total, d.k_eff, d.stride, d.ceil_mode, how.exact)
    if isinstance(how, TilingMap):
        return ("tile", how.division.k_eff, how.division.stride)
    return how
