"""A JSON Schema (draft 2020-12) of the spec format, generated from the layer
registry (every type's argument record, through the argument-kind table of
``spec.values``), the loader's constructs and its top-level keys, so it cannot
drift from what the loader accepts.

What a schema cannot know: the names of a spec's own ``blocks``. A spec
without ``blocks`` is checked strictly (only built-in types); a spec with
``blocks`` also accepts any other one-key mapping or word as a block use.
"""

from __future__ import annotations

from typing import Any

from . import layers as _layers  # noqa: F401  (registers the built-in types)
from .limits import DEFAULT_DTYPE, DTYPE_BYTES, MAX_SIZE
from .registry import REGISTRY, LayerType
from .spec.blocks import BLOCK
from .spec.constructs import CONSTRUCTS, construct_for
from .spec.document import TOP_KEYS
from .spec.values import EXPRESSION, REFERENCE, TENSOR, arguments_schema

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def _layer_family(suffix: str, blocks: bool) -> dict[str, Any]:
    """The layer definitions of one family: strict (no blocks) or with blocks."""
    layer = f"#/$defs/layer{suffix}"
    # every registered type and every construct describes what follows its key
    named = {name: construct_for(name, {}) for name in [*_names(), *CONSTRUCTS]}
    properties = {name: construct.schema(layer, name) for name, construct in named.items() if construct is not None}
    mapping: dict[str, Any] = {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "properties": properties,
        "additionalProperties": {"type": ["object", "null"]} if blocks else False,
    }
    bare = sorted(n for n in _names() if not any(s.required for s in _type(n).schema))
    words: list[dict[str, Any]] = [{"enum": bare}]
    if blocks:
        words.append({"type": "string", "not": {"enum": [*_names(), *CONSTRUCTS]}, "description": "a block"})
    return {f"layer{suffix}": {"anyOf": [*words, mapping]}}


def _names() -> list[str]:
    return REGISTRY.names()


def _type(name: str) -> LayerType:
    layer_type = REGISTRY.get(name)
    assert layer_type is not None, name
    return layer_type


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of a spec file (versions 1 and 2 of the format: version 2 adds to version 1)."""
    integer = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_SIZE}, {"$ref": "#/$defs/expression"}]}
    defs: dict[str, Any] = {"expression": EXPRESSION, "reference": REFERENCE, "tensor": TENSOR}
    for layer_type in REGISTRY.types.values():
        defs[f"args_{layer_type.name}"] = arguments_schema(layer_type)
    defs.update(_layer_family("", blocks=True))
    defs.update(_layer_family("_strict", blocks=False))
    defs["block"] = BLOCK.schema_of_definition()
    shape = {"type": "array", "minItems": 1, "maxItems": 4, "items": integer}
    tensors = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/tensor"}}
    properties: dict[str, Any] = {
        "name": {"type": "string", "description": "shown in the title"},
        "description": {"type": "string"},
        "input": {**shape, "description": "channels first: [C, H, W], [C, L], [C, D, H, W], or [features]"},
        "inputs": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": r"^[^.]+$", "not": {"const": "main"}},
            "additionalProperties": shape,
            "description": "several inputs, name → shape, in order, instead of 'input'; "
            "the first layer reads the first; every input's name is visible everywhere",
        },
        "dtype": {"enum": list(DTYPE_BYTES), "default": DEFAULT_DTYPE},
        "args": {
            "type": ["object", "null"],
            "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
            "description": "spec-level arguments and their defaults; --set name=value overrides",
        },
        "blocks": {
            "type": ["object", "null"],
            "propertyNames": {"not": {"enum": [*_names(), *CONSTRUCTS]}},
            "additionalProperties": {"$ref": "#/$defs/block"},
            "description": "user-defined layer types",
        },
        "layers": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/layer"}},
        "outputs": {
            "anyOf": [
                tensors,
                {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/tensor"}},
            ],
            "description": "the tensors the network returns (a list, or name → tensor); "
            "without it, the last layer's output ('main') and any heads",
        },
    }
    assert tuple(properties) == TOP_KEYS
    return {
        "$schema": SCHEMA_URI,
        "title": "cnncalc spec (format version 2, which keeps every version 1 spec valid)",
        "type": "object",
        "properties": properties,
        "required": ["layers"],
        "oneOf": [{"required": ["input"]}, {"required": ["inputs"]}],
        "additionalProperties": False,
        "if": {"not": {"required": ["blocks"]}},
        "then": {"properties": {"layers": {"items": {"$ref": "#/$defs/layer_strict"}}}},
        "$defs": defs,
    }
