"""A use of one of the spec's own ``blocks``: their definitions checked, how a
use lowers (its layers, with its arguments, in a group), counts and is described."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import SourceLoc, SpecError, did_you_mean
from ..record import replace as replace_record
from ..registry import REGISTRY
from .construct import Construct, Memo, Variables
from .references import source
from .values import ITEM_KEYS, PASS, REQUIRED, resolve, resolve_default
from .yamltree import YMap, YSeq, describe

if TYPE_CHECKING:
    from .builder import Builder, Scope
    from .counting import Counter

KEYS = ("args", "layers", "description")
PASS_TAKEN = "'pass' is not an argument name: $pass is a repeat's pass number"


class Block(Construct):
    """A use of one of the spec's ``blocks``: its layers, with its arguments, in a group."""

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
        if written in scope.blocks_in_use:
            chain = " → ".join((*scope.blocks_in_use[scope.blocks_in_use.index(written) :], written))
            raise SpecError(f"block '{written}' uses itself ({chain})", at, "a block may not contain itself")
        definition = b.blocks[written]
        args = b.arguments(body, body_loc, written)
        variables = self.variables(b, written, definition, args, at, scope)
        name = b.layer_name(args, scope, written)
        current = source(b, args, scope, current)
        inner = replace_record(
            b.group(b.frozen(args, scope, written), name, written),
            variables=variables,
            prefix=name + ".",
            counters={},
            blocks_in_use=(*scope.blocks_in_use, written),
            namespace=name + ".",  # a block sees its own layers only, and its input as 'input'
            entry=current,
        )
        layers_at = definition.value_locs["layers"]
        output = b.layers(definition["layers"], layers_at, inner, current, f"{path}>blocks/{written}/layers")
        b.register(name, output, scope)  # the block use's name stands for its output
        return output

    @staticmethod
    def variables(
        b: Builder, written: str, definition: YMap, args: YMap, at: SourceLoc, scope: Scope
    ) -> dict[str, Any]:
        """The spec's arguments and the block's, as this use gives them."""
        declared: YMap = definition.get("args") or YMap(definition.loc)
        variables = dict(b.global_args)
        for key, raw in args.items():
            if key in ITEM_KEYS:
                continue
            if key not in declared:
                raise SpecError(
                    f"block '{written}' has no argument '{key}'",
                    args.key_locs[key],
                    did_you_mean(key, [*declared, "name"]) or f"its arguments: {', '.join(declared) or 'none'}",
                )
            variables[key] = resolve(raw, scope.variables, args.value_locs[key])
        for key, default in declared.items():
            if key in args:
                continue
            if default == REQUIRED:
                raise SpecError(
                    f"block '{written}' is missing the argument '{key}'", at, f"write '{written}: {{{key}: ...}}'"
                )
            variables[key] = resolve_default(key, default, variables, declared)  # may use earlier args
        return variables

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
        definition = counter.blocks[kind]
        if kind in in_use or not isinstance(definition, YMap):
            return 0
        return counter.count(definition.get("layers"), None, depth + 1, (*in_use, kind))

    @staticmethod
    def definitions(document: YMap) -> dict[str, YMap]:
        """The spec's ``blocks``, each checked (its uses are checked where they are)."""
        from .constructs import CONSTRUCTS  # the names a block may not take

        reserved = CONSTRUCTS
        blocks = document.get("blocks")
        if blocks is None:
            return {}
        if not isinstance(blocks, YMap):
            raise SpecError(
                f"'blocks' must be a mapping of block names, not {describe(blocks)}", document.value_locs["blocks"]
            )
        for name, definition in blocks.items():
            at = blocks.key_locs[name]
            if REGISTRY.get(name) is not None or name in reserved:
                raise SpecError(f"block name '{name}' is a built-in layer type", at, "choose another name")
            if not isinstance(definition, YMap):
                raise SpecError(
                    f"block '{name}' must be a mapping with 'layers' (and 'args'), not {describe(definition)}",
                    blocks.value_locs[name],
                )
            for key in definition:
                if key not in KEYS:
                    raise SpecError(
                        f"block '{name}' has no key '{key}'",
                        definition.key_locs[key],
                        did_you_mean(key, KEYS),
                    )
            if "layers" not in definition:
                raise SpecError(f"block '{name}' has no 'layers'", at)
            if isinstance(definition["layers"], YSeq) and not definition["layers"]:
                raise SpecError(
                    f"block '{name}' has no layers", definition.value_locs["layers"], "list at least one layer"
                )
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
                if key == PASS:
                    raise SpecError(PASS_TAKEN, key_loc, "choose another name")
        return dict(blocks)

    @staticmethod
    def schema_of_definition() -> dict[str, Any]:
        """The JSON Schema of one entry of the spec's ``blocks``."""
        return {
            "type": "object",
            "properties": {
                "args": {
                    "type": ["object", "null"],
                    "description": "the block's arguments and their defaults ('required' for none)",
                },
                "layers": {"type": "array", "items": {"$ref": "#/$defs/layer"}},
                "description": {"type": "string"},
            },
            "required": ["layers"],
            "additionalProperties": False,
        }


BLOCK = Block()
