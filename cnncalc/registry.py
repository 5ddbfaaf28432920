"""The layer registry: one entry per YAML layer type.

A layer type is a frozen dataclass of its arguments (its schema: the loader
builds it by introspection) and one pure rule from input shape(s) to
:class:`Facts`. Composite types (``separable_conv``) instead expand into
primitives in the loader, so the engine only ever sees primitives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Optional, Union

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

ARG_KINDS: dict[str, str] = {
    "int": "int",
    "float": "float",
    "bool": "bool",
    "str": "str",
    "Size": "size",
    "Padding": "padding",
    "OptionalSize": "size",
}


def arg(default: Any = MISSING, *, minimum: float = 1, maximum: float | None = None) -> Any:
    """A layer argument with its valid range (ints default to >= 1)."""
    meta = {"minimum": minimum, "maximum": maximum}
    return field(default=default, metadata=meta)


@record
class Window:
    """What a layer does spatially, per axis, for the receptive field."""

    kernel_eff: tuple[int, ...]
    stride: tuple[Any, ...]  # int, or Fraction for upsampling
    pad_before: tuple[int, ...]
    transposed: bool = False


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
    warnings: tuple[str, ...] = ()
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
    saves: Saves | None = None  # what autograd keeps of it for backward (cnncalc.saved); None for composites

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
            )
        )
    return tuple(specs)


class Registry:
    """Layer types by YAML name; registering a name twice is an error."""

    def __init__(self) -> None:
        self.types: dict[str, LayerType] = {}
        self.aliases: dict[str, str] = {}

    def add(self, layer_type: LayerType, aliases: tuple[str, ...] = ()) -> None:
        for name in (layer_type.name, *aliases):
            if name in self.types or name in self.aliases:
                raise ValueError(f"layer type '{name}' is registered twice")
        self.types[layer_type.name] = layer_type
        for alias in aliases:
            self.aliases[alias] = layer_type.name

    def get(self, name: str) -> LayerType | None:
        return self.types.get(self.aliases.get(name, name))

    def names(self) -> list[str]:
        return [*self.types, *self.aliases]


REGISTRY = Registry()


def layer(
    name: str,
    args_class: type,
    *,
    arity: int | None = 1,
    aliases: tuple[str, ...] = (),
    short: str = "",
    label: Label = window_label,
    saves: Saves | None = None,
) -> Callable[[Callable[..., Facts]], Callable[..., Facts]]:
    """Register ``rule(shape, args) -> Facts`` (or ``rule(shapes, args)`` for merges);
    ``short`` and ``label`` say how the table names it, ``saves`` what autograd
    keeps of it for the backward pass (:mod:`cnncalc.saved`)."""

    def register(rule: Callable[..., Facts]) -> Callable[..., Facts]:
        doc = (rule.__doc__ or "").strip()
        layer_type = LayerType(name, args_class, rule, None, arity, _schema(args_class), doc, short, label, saves)
        REGISTRY.add(layer_type, aliases)
        return rule

    return register


def composite(name: str, args_class: type) -> Callable[[Callable[[Any], list[tuple[str, str, dict[str, Any]]]]], Any]:
    """Register ``expand(args) -> [(part_name, type, args), ...]`` of primitives."""

    def register(expand: Callable[[Any], list[tuple[str, str, dict[str, Any]]]]) -> Any:
        REGISTRY.add(LayerType(name, args_class, None, expand, 1, _schema(args_class), (expand.__doc__ or "").strip()))
        return expand

    return register
