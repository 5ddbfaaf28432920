"""The layer registry: one entry per YAML layer type.

A layer type is a frozen record of its arguments (``@record``, cnncalc.record;
its schema: the loader builds it by introspection) and one pure rule from
input shape(s) to :class:`Facts`. Composite types (``separable_conv``) instead expand into
primitives in the loader, so the engine only ever sees primitives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Optional, Union

from .describe import ARG_DOCS, Example, Formulas
from .errors import LayerError, SpecError
from .graph import Node
from .limits import MAX_SIZE
from .record import MISSING, field, fields, record
from .saved import Saves
from .shapes import Division, per_axis

Shape = tuple[int, ...]
# The annotations an argument class may use, and what the loader accepts for
# each. Read as written (argument classes use string annotations), not
# evaluated: typing.get_type_hints compiles every annotation at start-up.
Size = Union[int, tuple[int, ...]]
Padding = Union[int, tuple[int, ...], str]
OptionalSize = Optional[Size]
Axes = Union[int, tuple[int, ...]]  # one value per axis, channels first (reshape, permute)
# A reference to an earlier tensor (`like: X`), as written: the loader resolves it and
# the node reads that tensor as an extra input, whose shape the rule gets after its arguments.
Tensor = Union[str, int, None]

ARG_KINDS: dict[str, str] = {
    "int": "int",
    "float": "float",
    "bool": "bool",
    "str": "str",
    "Size": "size",
    "Padding": "padding",
    "OptionalSize": "size",
    "Axes": "axes",
    "Tensor": "tensor",
}


def arg(default: Any = MISSING, *, minimum: float = 1, maximum: float | None = None, doc: str = "") -> Any:
    """A layer argument with its valid range (ints default to >= 1) and, where its
    name alone does not say it (see ARG_DOCS), what it means."""
    meta = {"minimum": minimum, "maximum": maximum, "doc": doc}
    return field(default=default, metadata=meta)


@record
class Window:
    """What a layer does spatially, per axis, for the receptive field."""

    kernel_eff: tuple[int, ...]
    stride: tuple[Any, ...]  # int, or Fraction for upsampling
    pad_before: tuple[int, ...]
    transposed: bool = False
    dilation: tuple[int, ...] = ()  # the spacing of the kernel's taps per axis; () for all 1
    # PyTorch's adaptive pools: output i reads floor(i·n/o) to ceil((i+1)·n/o) − 1 (stride n/o),
    # windows of two widths in turn; kernel_eff is the widest
    adaptive: bool = False


GLOBAL = "global"  # the window covers the whole input: receptive field becomes null


@record
class Facts:
    """What a rule knows about one layer; everything else is derived elsewhere."""

    output: Shape
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0
    window: Window | str | None = None  # None: pointwise, RF unchanged; GLOBAL: RF null
    divisions: tuple[Division, ...] = ()
    in_place: bool = False  # activations, dropout and views add no activation memory
    warnings: tuple[tuple[str, str], ...] = ()  # (code, message): codes in errors.WARNINGS
    attention_matrix: int = 0  # elements of the attention matrices (heads·N² per window), one sample
    tokens: bool | None = None  # True: the output is tokens [D, N]; None: as the input (if still [D, N])

    @property
    def exact(self) -> bool:
        return all(d.exact for d in self.divisions)


@record
class ArgSpec:
    name: str
    kind: str
    required: bool
    default: Any
    minimum: float
    maximum: float | None
    doc: str = ""  # what it means (ARG_DOCS, or the argument's own arg(doc=...))


# (arguments, spatial rank) → the key arguments in a compact form: "3×3 /2 p1"
Label = Callable[[Any, int], str]


def axes_text(value: Any, rank: int) -> str:
    """A size on every axis: 3 on two axes is "3×3"."""
    values = per_axis(value, max(rank, 1), "") if isinstance(value, int) else value
    return "×".join(map(str, values))


def uniform_text(value: Any, rank: int) -> str:
    """A size once if it is the same on every axis: (2, 2) is "2"."""
    if isinstance(value, tuple) and len(set(value)) == 1:
        return str(value[0])
    return axes_text(value, rank) if isinstance(value, tuple) else str(value)


def window_label(args: Any, rank: int, default_stride: Any = 1) -> str:
    """Whichever of the window arguments a layer has, defaults left out:
    ``3×3 /2 p1 d2 g4 ×2 ceil nobias``."""
    parts = []
    if hasattr(args, "kernel"):
        parts.append(axes_text(args.kernel, rank))
    stride = getattr(args, "stride", None)
    if stride is not None and stride != default_stride:
        parts.append("/" + uniform_text(stride, rank))
    padding = getattr(args, "padding", 0)
    if padding not in (0, "valid"):
        parts.append(padding if isinstance(padding, str) else "p" + uniform_text(padding, rank))
    if getattr(args, "dilation", 1) != 1:
        parts.append("d" + uniform_text(args.dilation, rank))
    if getattr(args, "groups", 1) != 1:
        parts.append("g" + str(args.groups))
    if getattr(args, "multiplier", 1) != 1:
        parts.append("×" + str(args.multiplier))
    if getattr(args, "ceil_mode", False):
        parts.append("ceil")
    if getattr(args, "bias", True) is False:
        parts.append("nobias")
    return " ".join(parts)


# How the inputs of a merge meet on one axis (see ``joined_shape``).
BROADCAST = "broadcast"  # equal sizes, or 1 (which stretches to the others)
EQUAL = "equal"  # equal sizes
STACK = "stack"  # stacked: the sizes add up
# (merge arguments, rank of the inputs) → how the inputs meet on each axis
Joins = Callable[[Any, int], tuple[str, ...]]

# Tags a layer type may carry, for whoever needs to know what kind of layer it is.
ACTIVATION = "activation"  # an element-wise non-linearity
IN_PLACE = "in_place"  # computed in place: adds no activation memory
VIEW = "view"  # a reshaping view of its input: adds no activation memory
MERGE = "merge"  # several inputs (arity None)
COMPOSITE = "composite"  # expands into primitives in the loader


@record(slots=False)
class LayerType:
    name: str
    args_class: type
    rule: Callable[..., Facts] | None  # None for composites
    expand: Callable[[Any], list[tuple[str, str, dict[str, Any]]]] | None
    arity: int | None  # None: any number of inputs (merges)
    schema: tuple[ArgSpec, ...]
    doc: str
    short: str = ""  # the name in the table's Type column ("" for the name itself)
    label: Label = window_label
    tags: frozenset[str] = frozenset()
    joins: Joins | None = None  # merges: how the inputs meet on each axis
    saves: Saves | None = None  # what autograd keeps of it for backward (cnncalc.saved); None for composites
    formulas: Formulas | None = None  # what `cnncalc layers` and docs/spec-format.md say of it (cnncalc.describe)
    example: Example | None = None  # its worked example there (None: on 64×32×32, bare, if it needs no argument)

    def summary(self, args: Any, rank: int) -> str:
        """The type and its key arguments: ``conv 3×3 /2 p1``."""
        label = self.label(args, rank)
        return f"{self.short or self.name} {label}" if label else self.short or self.name

    def argspec(self, name: str) -> ArgSpec | None:
        for spec in self.schema:
            if spec.name == name:
                return spec
        return None


@functools.cache  # one argument class serves many types (NoArgs: every activation)
def _schema(args_class: type) -> tuple[ArgSpec, ...]:
    annotations = vars(args_class).get("__annotations__", {})
    specs = []
    for f in fields(args_class):
        kind = ARG_KINDS.get(annotations[f.name])
        if kind is None:
            raise TypeError(f"{args_class.__name__}.{f.name}: unsupported annotation {annotations[f.name]!r}")
        required = f.default is MISSING
        specs.append(
            ArgSpec(
                f.name,
                kind,
                required,
                None if required else f.default,
                f.metadata.get("minimum", 1),
                f.metadata.get("maximum"),
                f.metadata.get("doc") or ARG_DOCS.get(f.name, ""),
            )
        )
    return tuple(specs)


class Registry:
    """Layer types by YAML name; registering a name twice is an error."""

    def __init__(self) -> None:
        self.types: dict[str, LayerType] = {}
        self.aliases: dict[str, str] = {}
        self._tagged: dict[str, frozenset[str]] = {}  # tag → names, until the next registration

    def add(self, layer_type: LayerType, aliases: tuple[str, ...] = ()) -> None:
        for name in (layer_type.name, *aliases):
            if name in self.types or name in self.aliases:
                raise ValueError(f"layer type '{name}' is registered twice")
        self.types[layer_type.name] = layer_type
        self._tagged.clear()
        for alias in aliases:
            self.aliases[alias] = layer_type.name

    def get(self, name: str) -> LayerType | None:
        return self.types.get(self.aliases.get(name, name))

    def names(self) -> list[str]:
        return [*self.types, *self.aliases]

    def tagged(self, tag: str) -> frozenset[str]:
        """The names (aliases included) of the layer types that carry ``tag``."""
        found = self._tagged.get(tag)
        if found is None:
            found = frozenset(name for name in self.names() if tag in self.types[self.aliases.get(name, name)].tags)
            self._tagged[tag] = found
        return found


REGISTRY = Registry()


def layer(
    name: str,
    args_class: type,
    *,
    arity: int | None = 1,
    aliases: tuple[str, ...] = (),
    short: str = "",
    label: Label = window_label,
    tags: tuple[str, ...] = (),
    saves: Saves | None = None,
    formulas: Formulas | None = None,
    example: Example | None = None,
) -> Callable[[Callable[..., Facts]], Callable[..., Facts]]:
    """Register ``rule(shape, args) -> Facts`` (or ``rule(shapes, args)`` with ``arity=None``);
    ``short`` and ``label`` say how the table names it, ``saves`` what autograd
    keeps of it for the backward pass (:mod:`cnncalc.saved`), ``formulas`` and
    ``example`` what `cnncalc layers` shows of it (:mod:`cnncalc.describe`)."""

    def register(rule: Callable[..., Facts]) -> Callable[..., Facts]:
        doc = (rule.__doc__ or "").strip()
        tag_set = frozenset(tags) | ({MERGE} if arity is None else frozenset())
        schema = _schema(args_class)
        layer_type = LayerType(
            name, args_class, rule, None, arity, schema, doc, short, label, tag_set, None, saves, formulas, example
        )
        REGISTRY.add(layer_type, aliases)
        return rule

    return register


def merge(
    name: str,
    args_class: type,
    *,
    hint: str,
    label: Label = window_label,
    saves: Saves | None = None,
    formulas: Formulas | None = None,
) -> Callable[[Joins], Joins]:
    """Register a merge from ``joins(args, rank)``: how its inputs meet on each axis.
    Its rule, its schema in the loader and JSON Schema, and what ``sizes`` solves
    all follow from that declaration; ``hint`` is the fix named when shapes do not meet,
    ``saves`` what autograd keeps of it (:mod:`cnncalc.saved`), ``formulas`` what
    `cnncalc layers` says of it."""

    def register(joins: Joins) -> Joins:
        def rule(shapes: tuple[Shape, ...], args: Any) -> Facts:
            return Facts(output=joined_shape(name, shapes, joins(args, len(shapes[0])), hint))

        doc = (joins.__doc__ or "").strip()
        schema = _schema(args_class)
        merged = frozenset({MERGE})
        REGISTRY.add(
            LayerType(name, args_class, rule, None, None, schema, doc, "", label, merged, joins, saves, formulas)
        )
        return joins

    return register


def joined_shape(kind: str, shapes: tuple[Shape, ...], joins: tuple[str, ...], hint: str) -> Shape:
    """The output of a merge whose inputs meet as ``joins`` says on each axis; a
    located mistake (the engine adds the place) naming the two shapes that do not meet."""
    first = shapes[0]
    out = list(first)
    setter = [0] * len(first)  # which input gave each axis its size (the one to name)
    for i, other in enumerate(shapes[1:], 1):
        if len(other) != len(first):
            raise LayerError(f"{kind} needs {_meeting(joins)}, {_pair(0, first, i, other)}", hint=hint)
        for axis, how in enumerate(joins):
            size = other[axis]
            if how == STACK:
                out[axis] += size
            elif size != out[axis]:
                if how == BROADCAST and out[axis] == 1:
                    out[axis], setter[axis] = size, i
                elif how != BROADCAST or size != 1:
                    j = setter[axis]
                    raise LayerError(f"{kind} needs {_meeting(joins)}, {_pair(j, shapes[j], i, other)}", hint=hint)
    return tuple(out)


def _meeting(joins: tuple[str, ...]) -> str:
    if STACK not in joins:
        return "identical branch shapes"  # equal, where a size of 1 broadcasts
    if joins[0] == STACK:
        return "identical spatial sizes"
    return f"identical sizes on every axis but axis {joins.index(STACK)}"


def _pair(i: int, first: Shape, j: int, other: Shape) -> str:
    return f"but branch {i} gives {list(first)} and branch {j} gives {list(other)}"


def composite(
    name: str, args_class: type, *, formulas: Formulas | None = None, example: Example | None = None
) -> Callable[[Callable[[Any], list[tuple[str, str, dict[str, Any]]]]], Any]:
    """Register ``expand(args) -> [(part_name, type, args), ...]`` of primitives."""

    def register(expand: Callable[[Any], list[tuple[str, str, dict[str, Any]]]]) -> Any:
        doc = (expand.__doc__ or "").strip()
        tags = frozenset({COMPOSITE})
        schema = _schema(args_class)
        REGISTRY.add(
            LayerType(name, args_class, None, expand, 1, schema, doc, tags=tags, formulas=formulas, example=example)
        )
        return expand

    return register


def apply(node: Node, in_shapes: tuple[Shape, ...]) -> Facts:
    """A node's facts from its type's rule; a rule's mistake located at the node
    (or at the argument it names), and sizes bounded by MAX_SIZE."""
    layer_type = REGISTRY.types[node.type]
    assert layer_type.rule is not None
    try:
        if layer_type.arity is None:
            facts: Facts = layer_type.rule(in_shapes, node.args)
        elif len(in_shapes) == 1:
            facts = layer_type.rule(in_shapes[0], node.args)
        else:  # a tensor it reads the shape of (`like: X`)
            facts = layer_type.rule(in_shapes[0], node.args, *in_shapes[1:])
    except LayerError as error:
        at = node.arg_locs.get(error.arg, node.loc) if error.arg else node.loc
        raise SpecError(f"{node.type} '{node.name}': {error.message}", at, error.hint) from None
    if max(facts.output) > MAX_SIZE:  # bounded sizes keep every count within float range
        raise SpecError(
            f"{node.type} '{node.name}': its output {list(facts.output)} has a size above {MAX_SIZE:,}",
            node.loc,
            "no tensor is that large; check the scale, stride, padding and kernel",
        )
    return facts
