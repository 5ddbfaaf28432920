"""Spec text → :class:`Graph`: validation, expressions, blocks, repeats,
branches and heads lowered to a flat DAG of primitive nodes, each keeping
the ``file:line:col`` of its layer and of each argument."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from . import layers as _layers  # noqa: F401  (registers the built-in types)
from .errors import NOWHERE, SourceLoc, SpecError, SpecErrors, did_you_mean
from .expr import ExprError, evaluate, variables as expression_variables
from .graph import INPUT, Graph, Group, Node
from .limits import DTYPE_BYTES, MAX_DEPTH, MAX_ERRORS, MAX_FILE_BYTES, MAX_LAYERS, MAX_SIZE
from .record import field, record, replace as replace_record
from .registry import REGISTRY, ArgSpec, LayerType
from .yamltree import YMap, YSeq, describe, parse

TOP_KEYS = ("name", "description", "input", "dtype", "args", "blocks", "layers")
STRUCTURAL = ("repeat", "head")
_NO_ARGUMENTS = YMap(NOWHERE)
REQUIRED = "required"


@record(frozen=False, slots=False)
class _Scope:
    """Where a list of layers is being expanded."""

    variables: dict[str, Any]
    prefix: str  # prepended to the names of the layers in this scope
    counters: dict[str, int]
    blocks_in_use: tuple[str, ...] = ()
    group: int | None = None
    depth: int = 0


@record(frozen=False, slots=False)
class _Builder:
    file: str
    blocks: Mapping[str, Any]
    global_args: dict[str, Any]
    max_layers: int
    nodes: list[Node] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    names: dict[str, SourceLoc] = field(default_factory=dict)
    outputs: dict[str, int] = field(default_factory=dict)
    counted: dict[int, int] = field(default_factory=dict)  # id(list in a block) → count()
    errors: list[SpecError] | None = None  # collect layer errors and go on (check), or stop at the first
    defaults: dict[type, Any] = field(default_factory=dict)

    # --- naming and groups ---------------------------------------------------

    def auto_name(self, scope: _Scope, base: str) -> str:
        count = scope.counters.get(base, 0) + 1
        scope.counters[base] = count
        return f"{base}_{count}" if base[-1].isdigit() else f"{base}{count}"  # relu6_3, not relu63

    def claim(self, name: str, at: SourceLoc) -> str:
        if name in self.names:
            first = self.names[name]
            raise SpecError(
                f"the name '{name}' is already used by the layer at line {first.line}",
                at,
                "give each layer a unique name, or leave 'name' out inside blocks and repeats",
            )
        self.names[name] = at
        return name

    def group(self, scope: _Scope, label: str, kind: str) -> _Scope:
        group = Group(len(self.groups), label, kind, scope.group, scope.depth + 1)
        self.groups.append(group)
        return replace_record(scope, group=group.id, depth=scope.depth + 1)

    def add_node(
        self,
        scope: _Scope,
        name: str,
        layer_type: LayerType,
        args: Any,
        inputs: tuple[int, ...],
        at: SourceLoc,
        arg_locs: Mapping[str, SourceLoc],
        path: str,
    ) -> int:
        if len(self.nodes) >= self.max_layers:
            raise SpecError(
                f"the spec expands to more than {self.max_layers:,} layers",
                at,
                "raise the limit with --max-layers if this is intended",
            )
        index = len(self.nodes)
        self.nodes.append(
            Node(
                index, self.claim(name, at), layer_type.name, args, inputs, at, arg_locs, path, scope.depth, scope.group
            )
        )
        return index

    # --- lists of layers -----------------------------------------------------

    def layers(self, items: Any, at: SourceLoc, scope: _Scope, current: int, path: str) -> int:
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
        for i, item in enumerate(items):
            current = self.layer(item, items.locs[i], scope, current, f"{path}/{i}")
        return current

    def layer(self, item: Any, at: SourceLoc, scope: _Scope, current: int, path: str) -> int:
        if isinstance(item, str):
            type_name, body, body_loc = item, None, at
        elif isinstance(item, YMap):
            if len(item) != 1:
                if not item:
                    raise SpecError("an empty mapping is not a layer", at, "write a type, e.g. '- relu'")
                keys = list(item)
                raise SpecError(
                    f"a layer has exactly one key, its type, but this one has {len(keys)}: "
                    + ", ".join(f"'{k}'" for k in keys),
                    item.key_locs[keys[1]],
                    "put arguments (and 'name') inside the type's mapping, and each layer in its own '- ' item",
                )
            type_name = next(iter(item))
            body, body_loc = item[type_name], item.value_locs[type_name]
            at = item.key_locs[type_name]
        else:
            raise SpecError(
                f"a layer is a type name or a one-key mapping, not {describe(item)}",
                at,
                "write e.g. '- relu' or '- conv: {filters: 64, kernel: 3}'",
            )
        layer_type = REGISTRY.get(type_name)
        if layer_type is not None and layer_type.arity is None:
            return self.merge(layer_type, type_name, body, body_loc, at, scope, current, path)
        if type_name == "repeat":
            return self.repeat(body, body_loc, at, scope, current, path)
        if type_name == "head":
            return self.head(body, body_loc, at, scope, current, path)
        if type_name in self.blocks:
            return self.block(type_name, body, body_loc, at, scope, current, path)
        try:
            if layer_type is None:
                raise SpecError(
                    f"unknown layer type '{type_name}'",
                    at,
                    did_you_mean(type_name, [*REGISTRY.names(), *STRUCTURAL, *self.blocks]),
                )
            return self.primitive(layer_type, type_name, body, body_loc, at, scope, current, path)
        except SpecError as error:
            # A layer's own mistake (its type, an argument) leaves the layers after it
            # readable: note it, skip the layer, and read on for the next mistake.
            self.note(error)
            return current

    def default_args(self, args_class: type) -> Any:
        """One instance of an argument class at its defaults, shared by every layer that gives none."""
        found = self.defaults.get(args_class)
        if found is None:
            found = self.defaults[args_class] = args_class()
        return found

    def note(self, error: SpecError) -> None:
        """Collect a layer's mistake (once per place: a block used twice repeats its own), or raise it."""
        if self.errors is None or len(self.errors) >= MAX_ERRORS:
            raise error
        if not any(e.loc == error.loc for e in self.errors):
            self.errors.append(error)

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

    def layer_name(self, args: YMap, scope: _Scope, base: str) -> str:
        if "name" in args:
            name = args["name"]
            if not isinstance(name, str) or not name:
                raise SpecError(f"'name' must be text, not {describe(name)}", args.value_locs["name"])
            return scope.prefix + name
        return scope.prefix + self.auto_name(scope, base)

    def primitive(
        self,
        layer_type: LayerType,
        written: str,
        body: Any,
        body_loc: SourceLoc,
        at: SourceLoc,
        scope: _Scope,
        current: int,
        path: str,
    ) -> int:
        args = self.arguments(body, body_loc, written)
        values: dict[str, Any] = {}
        arg_locs: dict[str, SourceLoc] = {}
        mistaken = False
        for key, raw in args.items():
            if key == "name":
                continue
            try:
                spec = layer_type.argspec(key)
                if spec is None:
                    known = [s.name for s in layer_type.schema]
                    raise SpecError(
                        f"{written} has no argument '{key}'",
                        args.key_locs[key],
                        did_you_mean(key, [*known, "name"]) or f"{written} takes no arguments",
                    )
                values[key] = coerce(raw, spec, scope.variables, args.value_locs[key], written)
            except SpecError as error:
                self.note(error)  # raises unless check collects every mistake: then the next argument
                mistaken = True
                continue
            arg_locs[key] = args.value_locs[key]
        if mistaken:
            return current  # the layer is skipped; its other arguments have been read
        missing = [s.name for s in layer_type.schema if s.required and s.name not in values]
        if missing:
            raise SpecError(
                f"{written} is missing the argument '{missing[0]}'",
                at,
                f"write '{written}: {{{', '.join(f'{m}: ...' for m in missing)}}}'",
            )
        name = self.layer_name(args, scope, layer_type.name)
        instance = layer_type.args_class(**values) if values else self.default_args(layer_type.args_class)
        if layer_type.expand is None:
            return self.add_node(scope, name, layer_type, instance, (current,), at, arg_locs, path)
        inner = self.group(scope, name, layer_type.name)
        for part, part_type_name, part_args in layer_type.expand(instance):
            part_type = REGISTRY.get(part_type_name)
            assert part_type is not None, part_type_name
            current = self.add_node(
                inner,
                f"{name}.{part}",
                part_type,
                part_type.args_class(**part_args),
                (current,),
                at,
                {k: v for k, v in arg_locs.items() if k in part_args},
                f"{path}/{part}",
            )
        return current

    def merge(
        self,
        layer_type: LayerType,
        written: str,
        body: Any,
        body_loc: SourceLoc,
        at: SourceLoc,
        scope: _Scope,
        current: int,
        path: str,
    ) -> int:
        """A layer type with several inputs: a list of branches, or a mapping of
        'branches', 'name' and the type's own arguments."""
        kind = layer_type.name
        options = YMap(body_loc)
        branches = body
        if isinstance(body, YMap):
            allowed = ["branches", "name", *(spec.name for spec in layer_type.schema)]
            unknown = [k for k in body if k not in allowed]
            if unknown:
                raise SpecError(
                    f"{written} has no key '{unknown[0]}'", body.key_locs[unknown[0]], did_you_mean(unknown[0], allowed)
                )
            if "branches" not in body:
                raise SpecError(f"{written} needs 'branches', a list of branches", at)
            branches, body_loc = body["branches"], body.value_locs["branches"]
            options = body
        if not isinstance(branches, YSeq) or len(branches) < 2:
            raise SpecError(
                f"{written} needs a list of at least two branches, each a list of layers",
                body_loc,
                "write '- [layer, ...]' per branch, and '- []' for the identity",
            )
        name = self.layer_name(options, scope, kind)
        values: dict[str, Any] = {}
        arg_locs: dict[str, SourceLoc] = {}
        for spec in layer_type.schema:
            if spec.name in options:
                arg_locs[spec.name] = options.value_locs[spec.name]
                values[spec.name] = coerce(options[spec.name], spec, scope.variables, arg_locs[spec.name], written)
        outputs = []
        for b, branch in enumerate(branches):
            branch_at = branches.locs[b]
            if branch is None or (isinstance(branch, YSeq) and not branch):
                outputs.append(current)  # the identity shortcut
                continue
            if not isinstance(branch, YSeq):
                raise SpecError(
                    f"branch {b} of {written} must be a list of layers, not {describe(branch)}",
                    branch_at,
                    "wrap it in [ ]",
                )
            inner = self.group(scope, f"{name} branch {b}", "branch")
            outputs.append(self.layers(branch, branch_at, inner, current, f"{path}/{kind}/{b}"))
        instance = layer_type.args_class(**values) if values else self.default_args(layer_type.args_class)
        return self.add_node(scope, name, layer_type, instance, tuple(outputs), at, arg_locs, path)

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

    def repeat(self, body: Any, body_loc: SourceLoc, at: SourceLoc, scope: _Scope, current: int, path: str) -> int:
        body = self.keyed("repeat", body, body_loc, ("times", "layers", "name"))
        for key in ("times", "layers"):
            if key not in body:
                raise SpecError(f"repeat needs '{key}'", at, "write 'repeat: {times: 3, layers: [...]}'")
        times_loc = body.value_locs["times"]
        times = coerce(
            body["times"], ArgSpec("times", "int", True, None, 0, None), scope.variables, times_loc, "repeat"
        )
        if isinstance(body["layers"], YSeq) and not body["layers"]:
            raise SpecError(
                "repeat needs 'layers', a non-empty list", body.value_locs["layers"], "list the layers to repeat"
            )
        name = self.layer_name(body, scope, "repeat")
        start = len(self.nodes)
        # refuse before building what can be counted: nested repeats multiply
        self.refuse(start + times * self.count(body["layers"], scope.variables, scope.depth), times, times_loc)
        inner = self.group(scope, f"{name} ×{times}", "repeat")
        for iteration in range(times):
            current = self.layers(body["layers"], body.value_locs["layers"], inner, current, f"{path}/repeat")
            if iteration == 0:
                per_pass = len(self.nodes) - start
                if per_pass == 0:
                    break  # e.g. an inner repeat of 0 times: nothing to repeat, however often
                self.refuse(start + per_pass * times, times, times_loc, per_pass)
        return current

    def refuse(self, total: int, times: int, at: SourceLoc, per_pass: int | None = None) -> None:
        """The error for a repeat that takes the spec past the layer limit."""
        if total <= self.max_layers:
            return
        each = f" ({times:,} × {per_pass:,} layers)" if per_pass is not None else ""
        raise SpecError(
            f"this repeat takes the spec to {'' if each else 'at least '}{_count_text(total)} layers, "
            f"more than the limit of {self.max_layers:,}{each}",
            at,
            "lower 'times', or raise the limit with --max-layers",
        )

    # --- counting before building ----------------------------------------------

    def count(
        self,
        items: Any,
        variables: Mapping[str, Any] | None,
        depth: int,
        in_use: tuple[str, ...] = (),
        memo: dict[int, int] | None = None,
    ) -> int:
        """How many layers ``items`` expands to, without building anything: a lower
        bound (exact when repeat counts are known; what is not known counts 0), so
        a spec far past the limit is refused at once, not after a million layers.
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
        merge_type = REGISTRY.get(kind)
        if merge_type is not None and merge_type.arity is None:
            branches = body.get("branches") if isinstance(body, YMap) else body
            if not isinstance(branches, YSeq):
                return 0
            return 1 + sum(self.count(branch, variables, depth + 1, in_use, memo) for branch in branches)
        if kind in ("repeat", "head"):
            if not isinstance(body, YMap):
                return 0
            times = 1 if kind == "head" else _known_count(body.get("times"), variables)
            return times * self.count(body.get("layers"), variables, depth + 1, in_use, memo) if times else 0
        if kind in self.blocks:
            if kind in in_use or not isinstance(self.blocks[kind], YMap):
                return 0
            return self.count(self.blocks[kind].get("layers"), None, depth + 1, (*in_use, kind))
        return 1

    def refuse_oversized(self, items: Any, scope: _Scope) -> None:
        """Refuse a spec that expands past the limit before building any of it,
        pointing at the top-level layer where the count crosses it."""
        if not isinstance(items, YSeq):
            return
        total, crossing, memo = 0, None, dict[int, int]()
        plain = set(REGISTRY.types) | set(REGISTRY.aliases)  # a bare layer type counts one: most items
        for i, item in enumerate(items):
            total += 1 if type(item) is str and item in plain else self.count_item(item, scope.variables, 0, (), memo)
            if crossing is None and total > self.max_layers:
                crossing = i
        if crossing is None:
            return
        item, at = items[crossing], items.locs[crossing]
        if isinstance(item, YMap) and len(item) == 1:
            kind, body = next(iter(item.items()))
            at = body.value_locs["times"] if kind == "repeat" and "times" in body else item.key_locs[kind]
        raise SpecError(
            f"the spec expands to at least {_count_text(total)} layers, more than the limit of {self.max_layers:,}",
            at,
            "lower the repeat counts, or raise the limit with --max-layers",
        )

    def head(self, body: Any, body_loc: SourceLoc, at: SourceLoc, scope: _Scope, current: int, path: str) -> int:
        body = self.keyed("head", body, body_loc, ("name", "layers"))
        if "layers" not in body or not body["layers"]:
            raise SpecError("head needs 'layers', a non-empty list", at, "write 'head: {name: aux, layers: [...]}'")
        name = self.layer_name(body, scope, "head")
        if name in self.outputs or name == "main":
            raise SpecError(f"there is already an output named '{name}'", at, "give the head another name")
        inner = replace_record(self.group(scope, name, "head"), prefix=name + ".", counters={})
        self.outputs[name] = self.layers(body["layers"], body.value_locs["layers"], inner, current, f"{path}/head")
        return current  # the main path goes on unchanged

    def block(
        self, block_name: str, body: Any, body_loc: SourceLoc, at: SourceLoc, scope: _Scope, current: int, path: str
    ) -> int:
        if block_name in scope.blocks_in_use:
            chain = " → ".join((*scope.blocks_in_use[scope.blocks_in_use.index(block_name) :], block_name))
            raise SpecError(f"block '{block_name}' uses itself ({chain})", at, "a block may not contain itself")
        definition = self.blocks[block_name]
        args = self.arguments(body, body_loc, block_name)
        declared: YMap = definition.get("args") or YMap(definition.loc)
        variables = dict(self.global_args)
        for key, raw in args.items():
            if key == "name":
                continue
            if key not in declared:
                raise SpecError(
                    f"block '{block_name}' has no argument '{key}'",
                    args.key_locs[key],
                    did_you_mean(key, [*declared, "name"]) or f"its arguments: {', '.join(declared) or 'none'}",
                )
            variables[key] = resolve(raw, scope.variables, args.value_locs[key])
        for key, default in declared.items():
            if key in args:
                continue
            if default == REQUIRED:
                raise SpecError(
                    f"block '{block_name}' is missing the argument '{key}'",
                    at,
                    f"write '{block_name}: {{{key}: ...}}'",
                )
            variables[key] = resolve_default(key, default, variables, declared)  # may use earlier args
        name = self.layer_name(args, scope, block_name)
        inner = self.group(scope, name, block_name)
        inner = replace_record(
            inner,
            variables=variables,
            prefix=name + ".",
            counters={},
            blocks_in_use=(*scope.blocks_in_use, block_name),
        )
        return self.layers(
            definition["layers"], definition.value_locs["layers"], inner, current, f"{path}>blocks/{block_name}/layers"
        )


def _count_text(n: int) -> str:
    """1,000,000,000; 10^30 (a lower bound for a count that long)."""
    return f"{n:,}" if n < 10**15 else f"10^{len(str(n)) - 1}"


def _known_count(raw: Any, variables: Mapping[str, Any] | None) -> int:
    """A repeat's 'times' when it can be known before building, else 0."""
    if isinstance(raw, str) and variables is not None:
        try:
            raw = evaluate(raw, variables)
        except ExprError:
            return 0
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= MAX_SIZE:
        return 0
    return raw


def resolve(raw: Any, variables: Mapping[str, Any], at: SourceLoc) -> Any:
    """A block argument's value: expressions evaluated, lists item by item."""
    if isinstance(raw, YSeq):
        return tuple(resolve(item, variables, raw.locs[i]) for i, item in enumerate(raw))
    if isinstance(raw, str) and raw not in ("same", "valid", REQUIRED) and _is_expression(raw):
        return _evaluate(raw, variables, at)
    if isinstance(raw, YMap):
        raise SpecError("a block argument must be a number, a word, true/false or a list, not a mapping", at)
    return raw


def _is_expression(text: str) -> bool:
    return "$" in text or any(c in text for c in "+-*/()") or text[:1].isdigit()


def _evaluate(text: str, variables: Mapping[str, Any], at: SourceLoc) -> Any:
    stripped = text.strip()
    if stripped.startswith("$") and stripped[1:].isidentifier() and stripped[1:] in variables:
        return variables[stripped[1:]]  # a plain reference keeps lists and bools
    try:
        return evaluate(text, variables)
    except ExprError as error:
        raise SpecError(error.message, at, error.hint) from None


def coerce(raw: Any, spec: ArgSpec, variables: Mapping[str, Any], at: SourceLoc, layer: str) -> Any:
    """A written argument value → the type its layer declares, or a located error."""
    upper = MAX_SIZE if spec.maximum is None else spec.maximum
    if type(raw) is int and spec.kind in ("int", "size", "padding") and spec.minimum <= raw <= upper:
        return raw  # the common case first: what the checks below return for a plain int in range
    what = f"'{spec.name}'" if layer == spec.name else f"{layer} '{spec.name}'"
    from_expression = False
    written = ""
    if isinstance(raw, str) and not (spec.kind == "padding" and raw in ("same", "valid")) and spec.kind != "str":
        if not _is_expression(raw):
            if spec.kind == "padding":
                raise SpecError(
                    f"unknown padding '{raw}'",
                    at,
                    did_you_mean(raw, ["same", "valid"]) + " (or an int, or a list of ints)",
                )
            if raw in variables:
                hint = f"to use the argument '{raw}', write '${raw}'"
            elif raw in ("same", "valid"):
                hint = f"'{raw}' is a padding of conv and pooling layers only, for every axis at once"
            else:
                close = did_you_mean(raw, variables)
                hint = close.replace("'", "'$", 1) if close.startswith("did you") else f"write {_expected(spec)}"
            raise SpecError(f"{what} must be {_expected(spec)}, not the text '{raw}'", at, hint)
        written = raw
        raw = _evaluate(raw, variables, at)
        from_expression = True
    if raw is None:
        optional = "" if spec.required else ", or leave the argument out"
        raise SpecError(f"{what} needs a value", at, f"write {_expected(spec)}{optional}")
    kind = spec.kind
    if kind == "bool":
        if not isinstance(raw, bool):
            raise SpecError(f"{what} must be true or false, not {describe(raw)}", at)
        return raw
    if kind == "str":
        if not isinstance(raw, str):
            raise SpecError(f"{what} must be text, not {describe(raw)}", at)
        return raw
    if kind == "float":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise SpecError(f"{what} must be a number, not {describe(raw)}", at)
        _check_range(raw, spec, what, at)  # before float(): a huge int does not convert
        if not math.isfinite(raw):
            raise SpecError(f"{what} must be a finite number, not {raw}", at)
        return float(raw)
    if kind in ("size", "padding") and isinstance(raw, YSeq | tuple | list):
        locs = raw.locs if isinstance(raw, YSeq) else [at] * len(raw)
        if not 1 <= len(raw) <= 3:
            raise SpecError(f"{what} must list 1 to 3 sizes (one per spatial axis), not {len(raw)}", at)
        item_spec = replace_record(spec, kind="int")
        return tuple(coerce(item, item_spec, variables, locs[i], layer) for i, item in enumerate(raw))
    if kind == "padding" and raw in ("same", "valid"):
        return raw
    # int, or a size/padding written as one int
    if isinstance(raw, bool):
        raise SpecError(f"{what} must be {_expected(spec)}; a bool is not an int", at)
    if isinstance(raw, float):
        if not from_expression and raw.is_integer():
            raise SpecError(f"{what} must be an int, not the float {raw!r}", at, f"write {int(raw)}")
        if not from_expression or not raw.is_integer():
            shown = f'"{written}" = {raw:g}' if from_expression else f"{raw:g}"
            raise SpecError(
                f"{what} must be a whole number, not {shown}",
                at,
                "round it with floor(), ceil(), round() or make_divisible()" if from_expression else "write an int",
            )
        raw = int(raw)
    if not isinstance(raw, int):
        raise SpecError(f"{what} must be {_expected(spec)}, not {describe(raw)}", at)
    _check_range(raw, spec, what, at)
    return raw


def _expected(spec: ArgSpec) -> str:
    return {
        "int": "an int",
        "size": "an int or a list of ints",
        "padding": "an int, a list of ints, 'same' or 'valid'",
        "bool": "true or false",
        "float": "a number",
        "str": "text",
    }[spec.kind]


def _check_range(value: float, spec: ArgSpec, what: str, at: SourceLoc) -> None:
    if value < spec.minimum:
        raise SpecError(f"{what} must be at least {_shown(spec.minimum)}, not {_shown(value)}", at)
    upper = MAX_SIZE if spec.maximum is None else spec.maximum
    if value > upper:
        raise SpecError(f"{what} must be at most {_shown(upper)}, not {_shown(value)}", at)


def _shown(value: float) -> str:
    """A number for a message: 2,147,483,647; 0.5; a 400-digit number (never a float overflow)."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        number = int(value)
        return f"{number:,}" if abs(number) < 10**15 else f"a {len(str(abs(number))):,}-digit number"
    return f"{value:g}"


# --- the whole spec -----------------------------------------------------------


def load(
    text: str,
    file: str = "<spec>",
    *,
    overrides: Mapping[str, Any] | None = None,
    max_layers: int = MAX_LAYERS,
    every_error: bool = False,
) -> Graph:
    """Parse and expand a spec. ``overrides`` are ``--set name=value`` pairs.

    With ``every_error``, mistakes in single layers (an unknown type or
    argument, a bad value) do not stop the reading: the first is raised at the
    end as one SpecErrors holding them all, up to MAX_ERRORS."""
    start = SourceLoc(file, 1, 1)
    if len(text) > MAX_FILE_BYTES:
        raise SpecError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB", start, "is this a spec?")
    document = parse(text, file)
    if document is None:
        raise SpecError("the file is empty", start, "a spec needs at least 'input' and 'layers'")
    if not isinstance(document, YMap):
        raise SpecError(
            f"a spec is a mapping with 'input' and 'layers', not {describe(document)}",
            getattr(document, "loc", start),
        )
    for key in document:
        if key not in TOP_KEYS:
            raise SpecError(f"unknown top-level key '{key}'", document.key_locs[key], did_you_mean(key, TOP_KEYS))
    for key in ("input", "layers"):
        if key not in document:
            raise SpecError(f"the spec has no '{key}'", document.loc, _MISSING_HINT[key])
    shape = _input_shape(document["input"], document.value_locs["input"])
    dtype = document.get("dtype", "float32")
    if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
        raise SpecError(
            f"unknown dtype {describe(dtype)}"
            if isinstance(dtype, str)
            else f"'dtype' must be a name, not {describe(dtype)}",
            document.value_locs["dtype"],
            did_you_mean(str(dtype), DTYPE_BYTES),
        )
    global_args = _spec_args(document, overrides or {})
    blocks = _blocks(document)
    builder = _Builder(file, blocks, global_args, max_layers)
    if every_error:
        builder.errors = []
    scope = _Scope(dict(global_args), "", {})
    layers = document["layers"]
    if isinstance(layers, YSeq) and not layers:
        raise SpecError("'layers' is empty", document.value_locs["layers"], "list at least one layer")
    builder.refuse_oversized(layers, scope)
    for name, value in (("name", document.get("name")), ("description", document.get("description"))):
        if value is not None and not isinstance(value, str):
            builder.note(SpecError(f"'{name}' must be text, not {describe(value)}", document.value_locs[name]))
    try:
        main = builder.layers(layers, document.value_locs["layers"], scope, INPUT, "layers")
    except SpecError as error:
        if not builder.errors:
            raise
        if not any(e.loc == error.loc for e in builder.errors):
            builder.errors.append(error)  # a mistake that stops the reading, or one past MAX_ERRORS
    if builder.errors:
        # in the order of the file (a block's mistakes are found where it is used)
        raise SpecErrors(tuple(sorted(builder.errors, key=lambda e: (e.loc.line, e.loc.col))[:MAX_ERRORS]))
    return Graph(
        file=file,
        name=document.get("name") or "",
        input=shape,
        input_loc=document.value_locs["input"],
        dtype=dtype,
        nodes=tuple(builder.nodes),
        outputs={"main": main, **builder.outputs},
        groups=tuple(builder.groups),
        description=document.get("description") or "",
        args=global_args,
    )


_MISSING_HINT = {
    "input": "add e.g. 'input: [3, 224, 224]' (channels first)",
    "layers": "add 'layers:' with one '- type' per line",
}


def _input_shape(value: Any, at: SourceLoc) -> tuple[int, ...]:
    if not isinstance(value, YSeq) or not 1 <= len(value) <= 4:
        raise SpecError(
            "'input' must be a list of 1 to 4 sizes, channels first, not "
            + (f"{len(value)} sizes" if isinstance(value, YSeq) and value else describe(value)),
            at,
            "e.g. [3, 224, 224] for an RGB image, [1, 16000] for 1-D, [784] for a flat vector",
        )
    spec = ArgSpec("input", "int", True, None, 1, None)
    return tuple(coerce(item, spec, {}, value.locs[i], "input") for i, item in enumerate(value))


def parse_input(text: str) -> tuple[int, ...]:
    """``3x160x160`` (or ``3,160,160``) → (3, 160, 160), for ``--input``."""
    parts = text.replace(",", "x").replace("×", "x").lower().split("x")
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise SpecError(f"'{text}' is not sizes like 3x224x224 (channels first)") from None
    if not 1 <= len(shape) <= 4 or any(n < 1 or n > MAX_SIZE for n in shape):
        raise SpecError(f"'{text}' must be 1 to 4 sizes from 1 to {MAX_SIZE:,}, channels first, like 3x224x224")
    return shape


def _spec_args(document: YMap, overrides: Mapping[str, Any]) -> dict[str, Any]:
    declared = document.get("args")
    if declared is None:
        declared = YMap(document.loc)
    if not isinstance(declared, YMap):
        raise SpecError(
            f"'args' must be a mapping of names to defaults, not {describe(declared)}", document.value_locs["args"]
        )
    for key in overrides:
        if key not in declared:
            raise SpecError(
                f"--set {key}: the spec has no argument '{key}'",
                declared.loc,
                did_you_mean(key, declared) or f"its arguments: {', '.join(declared) or 'none'}",
            )
    values: dict[str, Any] = {}
    for key, raw in declared.items():
        if not key.isidentifier():
            raise SpecError(f"argument name '{key}' must be a plain identifier", declared.key_locs[key])
        # in order, so a later default may use an earlier argument, overridden or not
        values[key] = overrides[key] if key in overrides else resolve_default(key, raw, values, declared)
    return values


def resolve_default(key: str, raw: Any, earlier: Mapping[str, Any], declared: YMap) -> Any:
    """An argument's default, which may use the arguments declared before it."""
    try:
        return resolve(raw, earlier, declared.value_locs[key])
    except SpecError as error:
        if not error.message.startswith("unknown argument"):
            raise
        names, used = list(declared), expression_variables(str(raw))  # $names as written: never a pattern
        ahead = [k for k in names[names.index(key) :] if k not in earlier and k in used]
        if not ahead:
            raise
        what = "itself" if ahead[0] == key else f"'{ahead[0]}', declared after it"
        raise SpecError(
            f"the default of '{key}' uses {what}",
            declared.value_locs[key],
            "a default may use only the arguments declared before it",
        ) from None


def _blocks(document: YMap) -> dict[str, YMap]:
    blocks = document.get("blocks")
    if blocks is None:
        return {}
    if not isinstance(blocks, YMap):
        raise SpecError(
            f"'blocks' must be a mapping of block names, not {describe(blocks)}", document.value_locs["blocks"]
        )
    for name, definition in blocks.items():
        at = blocks.key_locs[name]
        if REGISTRY.get(name) is not None or name in STRUCTURAL:
            raise SpecError(f"block name '{name}' is a built-in layer type", at, "choose another name")
        if not isinstance(definition, YMap):
            raise SpecError(
                f"block '{name}' must be a mapping with 'layers' (and 'args'), not {describe(definition)}",
                blocks.value_locs[name],
            )
        for key in definition:
            if key not in ("args", "layers", "description"):
                raise SpecError(
                    f"block '{name}' has no key '{key}'",
                    definition.key_locs[key],
                    did_you_mean(key, ("args", "layers", "description")),
                )
        if "layers" not in definition:
            raise SpecError(f"block '{name}' has no 'layers'", at)
        if isinstance(definition["layers"], YSeq) and not definition["layers"]:
            raise SpecError(f"block '{name}' has no layers", definition.value_locs["layers"], "list at least one layer")
        declared = definition.get("args")
        if declared is not None and not isinstance(declared, YMap):
            raise SpecError(
                f"the args of block '{name}' must be a mapping of names to defaults (or 'required')",
                definition.value_locs["args"],
            )
        for key, key_loc in (declared.key_locs if isinstance(declared, YMap) else {}).items():
            if not key.isidentifier():
                raise SpecError(
                    f"argument name '{key}' of block '{name}' must be a plain identifier",
                    key_loc,
                    "letters, digits and '_', not starting with a digit",
                )
    return dict(blocks)


def load_data(data: Mapping[str, Any], **options: Any) -> Graph:
    """A spec given as Python data (the API's dict form)."""
    from .yamltree import dump

    return load(dump(dict(data)), "<dict>", **options)
