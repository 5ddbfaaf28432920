"""A JSON Schema (draft 2020-12) of the spec format, generated from the layer
registry (every type's argument dataclass) and the loader's top-level keys, so
it cannot drift from what the loader accepts.

What a schema cannot know: the names of a spec's own ``blocks``. A spec
without ``blocks`` is checked strictly (only built-in types); a spec with
``blocks`` also accepts any other one-key mapping or word as a block use.
"""

from __future__ import annotations

from typing import Any

from . import layers as _layers  # noqa: F401  (registers the built-in types)
from .limits import DTYPE_BYTES, MAX_SIZE
from .loader import STRUCTURAL, TOP_KEYS
from .registry import REGISTRY, ArgSpec, LayerType

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"

EXPRESSION = {
    "type": "string",
    "pattern": r"[-$+*/()]|^\s*[0-9]",
    "description": "arithmetic over $arguments: + - * / //, ( ), floor, ceil, round, min, max, make_divisible",
}
REFERENCE = {"type": "string", "pattern": r"^\s*\$[A-Za-z_][A-Za-z0-9_]*\s*$", "description": "a $argument"}


def _number(spec: ArgSpec, kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind, "minimum": spec.minimum}
    schema["maximum"] = spec.maximum if spec.maximum is not None else MAX_SIZE
    if kind == "integer":
        schema["minimum"] = int(spec.minimum)
        schema["maximum"] = int(schema["maximum"])
    return schema


def _value(spec: ArgSpec) -> dict[str, Any]:
    """The schema of one argument's value, from its kind."""
    expression = {"$ref": "#/$defs/expression"}
    if spec.kind == "bool":
        return {"anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/reference"}]}
    if spec.kind == "str":
        return {"type": "string"}
    if spec.kind == "float":
        return {"anyOf": [_number(spec, "number"), expression]}
    integer = {"anyOf": [_number(spec, "integer"), expression]}
    if spec.kind == "int":
        return integer
    sizes = {"type": "array", "minItems": 1, "maxItems": 3, "items": integer}
    options: list[dict[str, Any]] = [_number(spec, "integer"), sizes, expression]
    if spec.kind == "padding":
        options.insert(0, {"enum": ["same", "valid"]})
    return {"anyOf": options}


def _arguments(layer_type: LayerType) -> dict[str, Any]:
    properties: dict[str, Any] = {"name": {"type": "string", "minLength": 1, "description": "the layer's name"}}
    for spec in layer_type.schema:
        value = _value(spec)
        if not spec.required:
            value["default"] = list(spec.default) if isinstance(spec.default, tuple) else spec.default
        properties[spec.name] = value
    required = [s.name for s in layer_type.schema if s.required]
    schema: dict[str, Any] = {
        "type": "object" if required else ["object", "null"],
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if layer_type.doc:
        schema["description"] = layer_type.doc.split("\n")[0]
    return schema


def _layer_family(suffix: str, blocks: bool) -> dict[str, Any]:
    """The layer definitions of one family: strict (no blocks) or with blocks."""
    layer = f"#/$defs/layer{suffix}"
    branch = {"anyOf": [{"type": "null"}, {"type": "array", "items": {"$ref": layer}}]}
    branches = {"type": "array", "minItems": 2, "items": branch}
    layers = {"type": "array", "items": {"$ref": layer}}
    structural: dict[str, Any] = {
        "repeat": {
            "type": "object",
            "properties": {
                "times": {"anyOf": [{"type": "integer", "minimum": 0}, {"$ref": "#/$defs/expression"}]},
                "layers": layers,
                "name": {"type": "string", "minLength": 1},
            },
            "required": ["times", "layers"],
            "additionalProperties": False,
            "description": "the same layers n times",
        },
        "head": {
            "type": "object",
            "properties": {"name": {"type": "string", "minLength": 1}, "layers": {**layers, "minItems": 1}},
            "required": ["layers"],
            "additionalProperties": False,
            "description": "a side output; the main path goes on unchanged",
        },
    }
    assert set(structural) == set(STRUCTURAL)
    properties = {name: _layer_value(_type(name), branches) for name in _names()}
    properties.update(structural)
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
        words.append({"type": "string", "not": {"enum": [*_names(), *STRUCTURAL]}, "description": "a block"})
    return {f"layer{suffix}": {"anyOf": [*words, mapping]}}


def _layer_value(layer_type: LayerType, branches: dict[str, Any]) -> dict[str, Any]:
    """What follows a layer's type: its arguments, or a merge's branches (a list,
    or a mapping of 'branches' and its arguments)."""
    if layer_type.arity is not None:
        return {"$ref": f"#/$defs/args_{layer_type.name}"}
    arguments = _arguments(layer_type)
    with_branches = {
        **arguments,
        "type": "object",
        "properties": {"branches": branches, **arguments["properties"]},
        "required": ["branches", *arguments.get("required", [])],
    }
    with_branches.pop("description", None)
    merge: dict[str, Any] = {"anyOf": [branches, with_branches]}
    if layer_type.doc:
        merge["description"] = layer_type.doc.split("\n")[0]
    return merge


def _names() -> list[str]:
    return REGISTRY.names()


def _type(name: str) -> LayerType:
    layer_type = REGISTRY.get(name)
    assert layer_type is not None, name
    return layer_type


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of a spec file (version 1 of the format)."""
    integer = {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_SIZE}, {"$ref": "#/$defs/expression"}]}
    defs: dict[str, Any] = {"expression": EXPRESSION, "reference": REFERENCE}
    for layer_type in REGISTRY.types.values():
        defs[f"args_{layer_type.name}"] = _arguments(layer_type)
    defs.update(_layer_family("", blocks=True))
    defs.update(_layer_family("_strict", blocks=False))
    defs["block"] = {
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
    properties: dict[str, Any] = {
        "name": {"type": "string", "description": "shown in the title"},
        "description": {"type": "string"},
        "input": {
            "type": "array",
            "minItems": 1,
            "maxItems": 4,
            "items": integer,
            "description": "channels first: [C, H, W], [C, L], [C, D, H, W], or [features]",
        },
        "dtype": {"enum": list(DTYPE_BYTES), "default": "float32"},
        "args": {
            "type": ["object", "null"],
            "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
            "description": "spec-level arguments and their defaults; --set name=value overrides",
        },
        "blocks": {
            "type": ["object", "null"],
            "propertyNames": {"not": {"enum": [*_names(), *STRUCTURAL]}},
            "additionalProperties": {"$ref": "#/$defs/block"},
            "description": "user-defined layer types",
        },
        "layers": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/layer"}},
    }
    assert tuple(properties) == TOP_KEYS
    return {
        "$schema": SCHEMA_URI,
        "title": "cnncalc spec (format version 1)",
        "type": "object",
        "properties": properties,
        "required": ["input", "layers"],
        "additionalProperties": False,
        "if": {"not": {"required": ["blocks"]}},
        "then": {"properties": {"layers": {"items": {"$ref": "#/$defs/layer_strict"}}}},
        "$defs": defs,
    }
