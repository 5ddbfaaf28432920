"""The state of one lowering: the nodes and groups made so far, the names in
use, the scopes (arguments, name prefixes) and the error policy. Which kind of
item lowers how is not decided here but by :mod:`.constructs`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import NOWHERE, SourceLoc, SpecError, did_you_mean
from ..graph import INPUT, Group, Node
from ..limits import MAX_DEPTH, MAX_ERRORS, NAME_CHARS_PER_LAYER
from ..record import field, record, replace as replace_record
from ..registry import REGISTRY, ArgSpec, LayerType
from .constructs import CONSTRUCTS, construct_for
from .counting import Counter
from .values import ITEM_KEYS, coerce
from .yamltree import YMap, YSeq, describe

_NO_ARGUMENTS = YMap(NOWHERE)
TRAINABLE = ArgSpec("trainable", "bool", False, True, 0, None)


@record(frozen=False, slots=False)
class Scope:
    """Where a list of layers is being expanded."""

    variables: dict[str, Any]
    prefix: str  # prepended to the names of the layers in this scope
    counters: dict[str, int]
    blocks_in_use: tuple[str, ...] = ()
    group: int | None = None
    depth: int = 0
    namespace: str = ""  # the block's prefix: what a reference by name may see
    entry: int = INPUT  # what 'input' refers to: the spec's input, or the block's
    frozen: bool = False  # inside 'trainable: false': every layer's params are non-trainable


@record(frozen=False, slots=False)
class Builder:
    file: str
    blocks: Mapping[str, Any]
    global_args: dict[str, Any]
    counter: Counter
    nodes: list[Node] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    names: dict[str, SourceLoc] = field(default_factory=dict)
    outputs: dict[str, int] = field(default_factory=dict)
    errors: list[SpecError] | None = None  # collect layer errors and go on (check), or stop at the first
    defaults: dict[type, Any] = field(default_factory=dict)
    name_chars: int = 0  # of the names and paths so far: bounded, as the output holds each
    history: list[list[int]] = field(default_factory=list)  # per list being read: each item's output
    tensors: dict[str, int] = field(default_factory=dict)  # name → node index, for references ('from')
    spaces: dict[str, str] = field(default_factory=dict)  # name → the namespace it is visible in (as tensors)
    node_spaces: list[str] = field(default_factory=list)  # each node's namespace, by index
    passes: dict[str, list[int]] = field(default_factory=dict)  # a repeat's name → each pass's output (R.k)
    inputs: dict[str, int] = field(default_factory=dict)  # the spec's inputs, visible everywhere: name → index
    synced: int = 0  # nodes[:synced] are in tensors (filled only when a reference asks)
    referenced: bool = False  # some item names what it reads ('from')
    uses: dict[SourceLoc, tuple[str, int]] = field(default_factory=dict)  # a mistake's message, and its block uses
    finished: list[int] = field(default_factory=list)  # the last list of layers read: each item's output
    kinds: dict[str, Any] = field(default_factory=dict)  # type name → its construct (None: unknown), looked up once
    leaf_types: dict[str, tuple[LayerType, bool]] = field(default_factory=dict)  # see leaf_type()
    interned: dict[tuple[Any, ...], Any] = field(default_factory=dict)  # see shared_args()

    # --- naming and groups ---------------------------------------------------

    def auto_name(self, scope: Scope, base: str) -> str:
        count = scope.counters.get(base, 0) + 1
        scope.counters[base] = count
        return f"{base}_{count}" if base[-1].isdigit() else f"{base}{count}"  # relu6_3, not relu63

    def claim(self, name: str, at: SourceLoc) -> str:
        if name in self.names:
            first = self.names[name]
            if name in self.inputs:
                raise SpecError(
                    f"the name '{name}' is already used by the input at line {first.line}",
                    at,
                    "rename the input, or give this layer another 'name'",
                )
            raise SpecError(
                f"the name '{name}' is already used by the layer at line {first.line}",
                at,
                "give each layer a unique name, or leave 'name' out inside blocks and repeats",
            )
        self.names[name] = at
        return name

    # --- names for references ('from') ---------------------------------------

    def register(self, name: str, index: int, scope: Scope) -> None:
        """A name that stands for a tensor without being a node's (a block use's, a
        repeat's, a composite's or a head's output), visible in ``scope``'s list."""
        self.sync_names()
        if name not in self.names:  # a layer (or input) of that name keeps it: a head named like a layer
            self.spaces[name] = scope.namespace
            self.tensors[name] = index

    def sync_names(self) -> None:
        """Bring the nodes made since the last reference into ``tensors`` (filled only when asked)."""
        spaces = self.node_spaces
        for node in self.nodes[self.synced :]:
            self.tensors[node.name] = node.index
            self.spaces[node.name] = spaces[node.index]
        self.synced = len(self.nodes)

    def passes_named(self, namespace: str) -> list[str]:
        """The ``R.1`` names of the repeats visible in ``namespace``, for suggestions."""
        width = len(namespace)
        return [f"{name[width:]}.1" for name in self.passes if self.spaces.get(name) == namespace]

    def layer_name(self, args: YMap, scope: Scope, base: str) -> str:
        if "name" in args:
            name = args["name"]
            if not isinstance(name, str) or not name:
                raise SpecError(f"'name' must be text, not {describe(name)}", args.value_locs["name"])
            return scope.prefix + name
        return scope.prefix + self.auto_name(scope, base)

    def group(self, scope: Scope, label: str, kind: str) -> Scope:
        group = Group(len(self.groups), label, kind, scope.group, scope.depth + 1)
        self.groups.append(group)
        return replace_record(scope, group=group.id, depth=scope.depth + 1)

    def add_node(
        self,
        scope: Scope,
        name: str,
        layer_type: LayerType,
        args: Any,
        inputs: tuple[int, ...],
        at: SourceLoc,
        arg_locs: Mapping[str, SourceLoc],
        path: str,
    ) -> int:
        if len(self.nodes) >= self.counter.max_layers:
            raise SpecError(
                f"the spec expands to more than {self.counter.max_layers:,} layers",
                at,
                "raise the limit with --max-layers if this is intended",
            )
        self.name_chars += len(name) + len(path)
        if self.name_chars > NAME_CHARS_PER_LAYER * self.counter.max_layers:  # every output writes them all
            raise SpecError(
                f"the layers' names and paths pass {NAME_CHARS_PER_LAYER * self.counter.max_layers:,} characters "
                f"({len(self.nodes):,} layers, this one {scope.depth} blocks deep)",
                at,
                "nest fewer blocks around a long repeat, or raise the limit with --max-layers",
            )
        index = len(self.nodes)
        if name in self.names:
            self.claim(name, at)  # raises: the name is taken (before any list grows: check reads on)
        self.names[name] = at
        self.node_spaces.append(scope.namespace)
        self.nodes.append(
            Node(
                index,
                name,
                layer_type.name,
                args,
                inputs,
                at,
                arg_locs,
                path,
                scope.depth,
                scope.group,
                scope.frozen,
            )
        )
        return index

    # --- lists of layers -----------------------------------------------------

    def layers(self, items: Any, at: SourceLoc, scope: Scope, current: int, path: str) -> int:
        if not isinstance(items, YSeq):
            raise SpecError(
                f"'layers' must be a list of layers, not {describe(items)}",
                at,
                "write one '- type' or '- type: {args}' per line",
            )
        if scope.depth > MAX_DEPTH:
            raise SpecError(
                f"the layers nest deeper than {MAX_DEPTH} levels (blocks in blocks, repeats, branches)",
                at,
                "flatten the structure",
            )
        outputs: list[int] = []  # for references counted back in this list (from: -1)
        self.history.append(outputs)
        try:
            for i, item in enumerate(items):
                current = self.layer(item, items.locs[i], scope, current, f"{path}/{i}")
                outputs.append(current)
        finally:
            self.finished = self.history.pop()  # the spec's 'outputs' count back in the top-level list
        return current

    def layer(self, item: Any, at: SourceLoc, scope: Scope, current: int, path: str) -> int:
        if isinstance(item, str):
            type_name, body, body_loc = item, None, at
        elif isinstance(item, YMap) and len(item) == 1:
            type_name = next(iter(item))
            body, body_loc = item[type_name], item.value_locs[type_name]
            at = item.key_locs[type_name]
        else:
            raise _not_a_layer(item, at)
        construct = self.kinds.get(type_name, _UNSEEN)
        if construct is _UNSEEN:
            construct = self.kinds[type_name] = construct_for(type_name, self.blocks)
        if construct is not None and not construct.leaf:
            return construct.lower(self, type_name, body, body_loc, at, scope, current, path)
        try:
            if construct is None:
                choices = [*REGISTRY.names(), *CONSTRUCTS, *self.blocks]
                every = "`cnncalc layers` lists every layer type"
                raise SpecError(f"unknown layer type '{type_name}'", at, did_you_mean(type_name, choices, every))
            return construct.lower(self, type_name, body, body_loc, at, scope, current, path)
        except SpecError as error:
            # A layer's own mistake (its type, an argument) leaves the layers after it
            # readable: note it, skip the layer, and read on for the next mistake.
            self.note(error, scope)
            return current

    def note(self, error: SpecError, scope: Scope | None = None) -> None:
        """Collect a layer's mistake, or raise it. Once per place: a block used twice
        repeats its own, said once with the count ("in 2 uses of 'pair'")."""
        if self.errors is None or len(self.errors) >= MAX_ERRORS:
            raise error
        first = next((e for e in self.errors if e.loc == error.loc), None)
        if first is None:
            self.errors.append(error)
        elif scope is not None and scope.blocks_in_use:
            message, uses = self.uses.get(error.loc, (first.message, 1))
            if error.message != message:  # another value through the block's arguments: the first one stands
                return
            self.uses[error.loc] = (message, uses + 1)
            first.message = f"{message} (in {uses + 1} uses of '{scope.blocks_in_use[-1]}')"

    # --- arguments -----------------------------------------------------------

    def arguments(self, body: Any, body_loc: SourceLoc, what: str) -> YMap:
        if body is None:
            return _NO_ARGUMENTS  # a bare '- relu': read only, shared
        if not isinstance(body, YMap):
            raise SpecError(
                f"the arguments of '{what}' must be a mapping, not {describe(body)}",
                body_loc,
                f"write '{what}: {{name: value, ...}}'",
            )
        return body

    def keyed(self, kind: str, body: Any, body_loc: SourceLoc, allowed: tuple[str, ...]) -> YMap:
        if not isinstance(body, YMap):
            raise SpecError(
                f"{kind} takes a mapping with {', '.join(repr(k) for k in allowed)}, not {describe(body)}",
                body_loc,
            )
        for key in body:
            if key not in allowed:
                raise SpecError(f"{kind} has no key '{key}'", body.key_locs[key], did_you_mean(key, allowed))
        return body

    def frozen(self, args: Any, scope: Scope, written: str) -> Scope:
        """The scope an item's layers are made in: frozen if it says 'trainable: false'
        (or is inside such an item; an inner 'trainable: true' does not thaw it, as in Keras)."""
        if not isinstance(args, YMap) or "trainable" not in args:
            return scope
        trainable = coerce(args["trainable"], TRAINABLE, scope.variables, args.value_locs["trainable"], written)
        return scope if trainable or scope.frozen else replace_record(scope, frozen=True)

    def default_args(self, args_class: type) -> Any:
        """One instance of an argument class at its defaults, shared by every layer that gives none."""
        found = self.defaults.get(args_class)
        if found is None:
            found = self.defaults[args_class] = args_class()
        return found

    def leaf_type(self, written: str) -> tuple[LayerType, bool]:
        """The layer type a name stands for, and whether it may stand bare (no argument
        it must be given): looked up once per name."""
        found = self.leaf_types.get(written)
        if found is None:
            layer_type = REGISTRY.get(written)
            assert layer_type is not None, written
            found = self.leaf_types[written] = (layer_type, not _specs(layer_type)[1])
        return found

    def layer_args(
        self, layer_type: LayerType, written: str, args: YMap, at: SourceLoc, scope: Scope
    ) -> tuple[Any, dict[str, SourceLoc]] | None:
        """A layer type's argument instance and where each argument was written;
        None when a mistake was noted (check reads every argument first)."""
        values: dict[str, Any] = {}
        arg_locs: dict[str, SourceLoc] = {}
        mistaken = False
        specs, required = _specs(layer_type)
        for key, raw in args.items():
            if key in ITEM_KEYS:
                continue
            try:
                spec = specs.get(key)
                if spec is None:
                    known = [s.name for s in layer_type.schema]
                    raise SpecError(
                        f"{written} has no argument '{key}'",
                        args.key_locs[key],
                        did_you_mean(key, [*known, "name"]) or f"{written} takes no arguments",
                    )
                if spec.kind == "tensor":  # a reference: the construct resolves it to an extra input
                    values[key] = raw if isinstance(raw, str | int) and not isinstance(raw, bool) else str(raw)
                else:
                    values[key] = coerce(raw, spec, scope.variables, args.value_locs[key], written)
            except SpecError as error:
                self.note(error, scope)  # raises unless check collects every mistake: then the next argument
                mistaken = True
                continue
            arg_locs[key] = args.value_locs[key]
        if mistaken:
            return None  # the layer is skipped; its other arguments have been read
        missing = [name for name in required if name not in values]
        if missing:
            raise SpecError(
                f"{written} is missing the argument '{missing[0]}'",
                at,
                f"write '{written}: {{{', '.join(f'{m}: ...' for m in missing)}}}'",
            )
        return self.shared_args(layer_type.args_class, values), arg_locs

    def shared_args(self, args_class: type, values: dict[str, Any]) -> Any:
        """One instance per argument class and values (records are frozen): layers written
        alike share their arguments, and the engine finds its memo by identity."""
        if not values:
            return self.default_args(args_class)
        try:
            key = (args_class, tuple(values.items()), tuple(map(type, values.values())))  # 1 is not 1.0 nor True
            found = self.interned.get(key)
        except TypeError:  # a value that cannot be a key
            return args_class(**values)
        if found is None:
            found = self.interned[key] = args_class(**values)
        return found


_UNSEEN = object()
# by id() of a type's schema, which each entry keeps alive: a type's arguments by name,
# and the names of those it needs (a lookup per written argument, not a walk over the schema)
_SPECS: dict[int, tuple[tuple[ArgSpec, ...], dict[str, ArgSpec], tuple[str, ...]]] = {}


def _specs(layer_type: LayerType) -> tuple[dict[str, ArgSpec], tuple[str, ...]]:
    schema = layer_type.schema
    found = _SPECS.get(id(schema))
    if found is None:
        required = tuple(spec.name for spec in schema if spec.required)
        found = _SPECS[id(schema)] = (schema, {spec.name: spec for spec in schema}, required)
    return found[1], found[2]


def _not_a_layer(item: Any, at: SourceLoc) -> SpecError:
    if isinstance(item, YMap):
        if not item:
            return SpecError("an empty mapping is not a layer", at, "write a type, e.g. '- relu'")
        keys = list(item)
        return SpecError(
            f"a layer has exactly one key, its type, but this one has {len(keys)}: "
            + ", ".join(f"'{k}'" for k in keys),
            item.key_locs[keys[1]],
            "put arguments (and 'name') inside the type's mapping, and each layer in its own '- ' item",
        )
    return SpecError(
        f"a layer is a type name or a one-key mapping, not {describe(item)}",
        at,
        "write e.g. '- relu' or '- conv: {filters: 64, kernel: 3}'",
    )
