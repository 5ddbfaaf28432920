"""Every kind of item a list of layers may hold, each in one place: how it
lowers to nodes, how it counts toward the layer limit, and its JSON Schema.

- a primitive layer type (``conv``) and a composite one (``separable_conv``,
  expanded into primitives), both from the layer registry;
- a merge: any registered type with several inputs (``add``, ``concat``,
  ``multiply``): a list of branches, or ``{branches, name, <its arguments>}``;
- ``repeat`` and ``head``, the spec's own constructs (:data:`CONSTRUCTS`);
- a use of one of the spec's ``blocks`` (:mod:`.blocks`).

:func:`construct_for` is the only place that tells them apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import SourceLoc, SpecError, did_you_mean
from ..limits import MAX_SIZE
from ..record import replace as replace_record
from ..registry import REGISTRY, ArgSpec, LayerType
from .blocks import BLOCK
from .construct import Construct, Memo, Variables, layer_type_named as _layer_type
from .references import references, source, tensor_arguments
from .values import ITEM_KEYS, PASS, TRAINABLE_SCHEMA, arguments_schema, coerce
from .yamltree import YMap, YSeq, describe

if TYPE_CHECKING:
    from .builder import Builder, Scope
    from .counting import Counter

_NAME = {"type": "string", "minLength": 1}


class Primitive(Construct):
    """A registered single-input layer type: one node."""

    leaf = True

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
        layer_type, bare = b.leaf_type(written)
        if body is None and bare:  # a bare '- relu', most layers of a long spec
            name = scope.prefix + b.auto_name(scope, layer_type.name)
            instance = b.default_args(layer_type.args_class)
            return b.add_node(scope, name, layer_type, instance, (current,), at, {}, path)
        args = b.arguments(body, body_loc, written)
        read = b.layer_args(layer_type, written, args, at, scope)
        if read is None:
            return current
        name = b.layer_name(args, scope, layer_type.name)
        inputs = (source(b, args, scope, current), *tensor_arguments(b, layer_type, args, scope))
        return b.add_node(b.frozen(args, scope, written), name, layer_type, read[0], inputs, at, read[1], path)


class Composite(Construct):
    """A registered type that expands into primitives (``separable_conv``): a group of nodes."""

    leaf = True

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
        layer_type = _layer_type(written)
        assert layer_type.expand is not None
        args = b.arguments(body, body_loc, written)
        read = b.layer_args(layer_type, written, args, at, scope)
        if read is None:
            return current
        instance, arg_locs = read
        name = b.layer_name(args, scope, layer_type.name)
        current = source(b, args, scope, current)
        inner = b.group(b.frozen(args, scope, written), name, layer_type.name)
        for part, part_type_name, part_args in layer_type.expand(instance):
            part_type = _layer_type(part_type_name)
            part_locs = {k: v for k, v in arg_locs.items() if k in part_args}
            current = b.add_node(
                inner,
                f"{name}.{part}",
                part_type,
                part_type.args_class(**part_args),
                (current,),
                at,
                part_locs,
                f"{path}/{part}",
            )
        b.register(name, current, scope)  # the composite's name stands for its output
        return current


class Merge(Construct):
    """A registered type with several inputs: its branches, then its node."""

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
        layer_type = _layer_type(written)
        kind = layer_type.name
        options, branches, body_loc = self.options(layer_type, written, body, body_loc, at)
        name = b.layer_name(options, scope, kind)
        scope = b.frozen(options, scope, written)  # its branches' layers
        values: dict[str, Any] = {}
        arg_locs: dict[str, SourceLoc] = {}
        for spec in layer_type.schema:
            if spec.name in options:
                arg_locs[spec.name] = options.value_locs[spec.name]
                values[spec.name] = coerce(options[spec.name], spec, scope.variables, arg_locs[spec.name], written)
        if branches is None:  # {from: [a, b, ...]}: tensors named, no branches
            outputs = references(b, options["from"], scope)
            branches = YSeq(body_loc)
        else:
            outputs = []
        for i, branch in enumerate(branches):
            branch_at = branches.locs[i]
            if branch is None or (isinstance(branch, YSeq) and not branch):
                outputs.append(current)  # the identity shortcut
                continue
            if not isinstance(branch, YSeq):
                raise SpecError(
                    f"branch {i} of {written} must be a list of layers, not {describe(branch)}",
                    branch_at,
                    "wrap it in [ ]",
                )
            inner = b.group(scope, f"{name} branch {i}", "branch")
            outputs.append(b.layers(branch, branch_at, inner, current, f"{path}/{kind}/{i}"))
        instance = layer_type.args_class(**values) if values else b.default_args(layer_type.args_class)
        return b.add_node(scope, name, layer_type, instance, tuple(outputs), at, arg_locs, path)

    @staticmethod
    def options(
        layer_type: LayerType, written: str, body: Any, body_loc: SourceLoc, at: SourceLoc
    ) -> tuple[YMap, YSeq | None, SourceLoc]:
        """Its name and arguments, its branches (None when it names its inputs with
        'from') and where they are written."""
        options, branches = YMap(body_loc), body
        if isinstance(body, YMap):
            allowed = ["branches", *ITEM_KEYS, *(spec.name for spec in layer_type.schema)]
            unknown = [k for k in body if k not in allowed]
            if unknown:
                raise SpecError(
                    f"{written} has no key '{unknown[0]}'", body.key_locs[unknown[0]], did_you_mean(unknown[0], allowed)
                )
            if "from" in body:
                return body, None, Merge.inputs_named(written, body)
            if "branches" not in body:
                raise SpecError(
                    f"{written} needs 'branches', a list of branches", at, "or 'from', a list of layer names"
                )
            options, branches, body_loc = body, body["branches"], body.value_locs["branches"]
        if not isinstance(branches, YSeq) or len(branches) < 2:
            raise SpecError(
                f"{written} needs a list of at least two branches, each a list of layers",
                body_loc,
                "write '- [layer, ...]' per branch, and '- []' for the identity",
            )
        return options, branches, body_loc

    @staticmethod
    def inputs_named(written: str, body: YMap) -> SourceLoc:
        """Check a merge's 'from': at least two references, and no branches beside it."""
        at = body.value_locs["from"]
        if "branches" in body:
            raise SpecError(
                f"{written} has both 'branches' and 'from'", body.key_locs["from"], "give one of them: its inputs"
            )
        refs = body["from"]
        every_pass = isinstance(refs, YSeq) and len(refs) == 1 and str(refs[0]).endswith(".*")  # [R.*]
        if not isinstance(refs, YSeq) or (len(refs) < 2 and not every_pass):
            raise SpecError(
                f"{written}'s 'from' must list at least two earlier layers, not {describe(refs)}",
                at,
                f"write '{written}: {{from: [a, b]}}' (names, 'input', or -1, -2 counting back)",
            )
        return at

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
        if isinstance(body, YMap) and "from" in body:
            return 1  # its inputs are named: no branches
        branches = body.get("branches") if isinstance(body, YMap) else body
        if not isinstance(branches, YSeq):
            return 0
        return 1 + sum(counter.count(branch, variables, depth + 1, in_use, memo) for branch in branches)

    def schema(self, layer_ref: str, name: str) -> dict[str, Any]:
        layer_type = _layer_type(name)
        branch = {"anyOf": [{"type": "null"}, {"type": "array", "items": {"$ref": layer_ref}}]}
        branches = {"type": "array", "minItems": 2, "items": branch}
        arguments = arguments_schema(layer_type)
        arguments.pop("description", None)
        arguments["patternProperties"].pop("^from$")  # its 'from' is a list
        with_inputs = [
            {
                **arguments,
                "type": "object",
                "properties": {key: inputs, **arguments["properties"]},
                "required": [key, *arguments.get("required", [])],
            }
            for key, inputs in (("branches", branches), ("from", {**branches, "items": {"$ref": "#/$defs/tensor"}}))
        ]
        merge: dict[str, Any] = {"anyOf": [branches, *with_inputs]}
        if layer_type.doc:
            merge["description"] = layer_type.doc.split("\n")[0]
        return merge


class Repeat(Construct):
    """``repeat: {times, layers, name}``: the same layers ``times`` times, in a group."""

    keys = ("times", "layers", "name", "from", "trainable")

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
        body = b.keyed("repeat", body, body_loc, self.keys)
        for key in ("times", "layers"):
            if key not in body:
                raise SpecError(f"repeat needs '{key}'", at, "write 'repeat: {times: 3, layers: [...]}'")
        times_loc = body.value_locs["times"]
        times = coerce(
            body["times"], ArgSpec("times", "int", True, None, 0, None), scope.variables, times_loc, "repeat"
        )
        layers, layers_at = body["layers"], body.value_locs["layers"]
        if isinstance(layers, YSeq) and not layers:
            raise SpecError("repeat needs 'layers', a non-empty list", layers_at, "list the layers to repeat")
        name = b.layer_name(body, scope, "repeat")
        current = source(b, body, scope, current)
        start = len(b.nodes)
        # refuse before building what can be counted: nested repeats multiply
        counted = b.counter.count(layers, scope.variables, scope.depth)
        b.counter.refuse_repeat(start + times * counted, times, times_loc)
        inner = b.group(b.frozen(body, scope, "repeat"), f"{name} ×{times}", "repeat")
        passes: list[int] = []  # each pass's output, for R.k and R.*
        for iteration in range(times):
            this_pass = replace_record(inner, variables={**inner.variables, PASS: iteration + 1})  # $pass: 1..times
            current = b.layers(layers, layers_at, this_pass, current, f"{path}/repeat")
            passes.append(current)
            if iteration == 0:
                per_pass = len(b.nodes) - start
                if per_pass == 0:
                    break  # e.g. an inner repeat of 0 times: nothing to repeat, however often
                b.counter.refuse_repeat(start + per_pass * times, times, times_loc, per_pass)
        b.register(name, current, scope)  # the repeat's name stands for its last pass's output
        b.passes[name] = passes
        return current

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
        if not isinstance(body, YMap):
            return 0
        times = known_count(body.get("times"), variables)
        return times * counter.count(body.get("layers"), variables, depth + 1, in_use, memo) if times else 0

    def count_at(self, body: Any, at: SourceLoc) -> SourceLoc:
        return body.value_locs["times"] if isinstance(body, YMap) and "times" in body else at

    def schema(self, layer_ref: str, name: str) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "times": {"anyOf": [{"type": "integer", "minimum": 0}, {"$ref": "#/$defs/expression"}]},
                "layers": {"type": "array", "items": {"$ref": layer_ref}},
                "name": _NAME,
                "from": {"$ref": "#/$defs/tensor"},
                "trainable": TRAINABLE_SCHEMA,
            },
            "required": ["times", "layers"],
            "additionalProperties": False,
            "description": "the same layers n times",
        }


class Head(Construct):
    """``head: {name, layers}``: a side output; the main path goes on unchanged."""

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
        body = b.keyed("head", body, body_loc, ("name", "layers"))
        if "layers" not in body or not body["layers"]:
            raise SpecError("head needs 'layers', a non-empty list", at, "write 'head: {name: aux, layers: [...]}'")
        name = b.layer_name(body, scope, "head")
        if name in b.outputs or name == "main":
            raise SpecError(f"there is already an output named '{name}'", at, "give the head another name")
        inner = replace_record(b.group(scope, name, "head"), prefix=name + ".", counters={})
        b.outputs[name] = b.layers(body["layers"], body.value_locs["layers"], inner, current, f"{path}/head")
        b.register(name, b.outputs[name], scope)  # the head's name stands for its output ('outputs: [aux]')
        return current

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
        return counter.count(body.get("layers"), variables, depth + 1, in_use, memo) if isinstance(body, YMap) else 0

    def schema(self, layer_ref: str, name: str) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"name": _NAME, "layers": {"type": "array", "items": {"$ref": layer_ref}, "minItems": 1}},
            "required": ["layers"],
            "additionalProperties": False,
            "description": "a side output; the main path goes on unchanged",
        }


def known_count(raw: Any, variables: Variables) -> int:
    """A repeat's 'times' when it can be known before building, else 0."""
    if isinstance(raw, str) and variables is not None:
        from ..expr import ExprError, evaluate  # not at start-up: most specs hold no expression

        try:
            raw = evaluate(raw, variables)
        except ExprError:
            return 0
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= MAX_SIZE:
        return 0
    return raw


PRIMITIVE, COMPOSITE, MERGE = Primitive(), Composite(), Merge()
# The spec's own constructs, by the key that introduces them.
CONSTRUCTS: dict[str, Construct] = {"repeat": Repeat(), "head": Head()}


def construct_for(type_name: str, blocks: Mapping[str, Any]) -> Construct | None:
    """What an item of this type is (None: nothing known by that name)."""
    found = CONSTRUCTS.get(type_name)
    if found is not None:
        return found
    if type_name in blocks:
        return BLOCK
    layer_type = REGISTRY.get(type_name)
    if layer_type is None:
        return None
    if layer_type.arity is None:
        return MERGE
    return PRIMITIVE if layer_type.expand is None else COMPOSITE
