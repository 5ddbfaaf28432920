"""Argument values by kind. One table (:data:`KINDS`) says, for each kind a
layer argument may have, what it accepts; from it a written value becomes the
value its layer declares (or a located error), and the JSON Schema of the value
is made. Expressions (``"$filters * 2"``) are evaluated here."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import SourceLoc, SpecError, did_you_mean
from ..limits import MAX_SIZE
from ..record import record, replace as replace_record
from ..registry import ArgSpec, LayerType
from .yamltree import YMap, YSeq, describe

REQUIRED = "required"  # a block argument without a default

EXPRESSION = {
    "type": "string",
    "pattern": r"[-$+*/()]|^\s*[0-9]",
    "description": "arithmetic over $arguments: + - * / //, ( ), floor, ceil, round, min, max, make_divisible",
}
REFERENCE = {"type": "string", "pattern": r"^\s*\$[A-Za-z_][A-Za-z0-9_]*\s*$", "description": "a $argument"}
PASS = "pass"  # inside a repeat, $pass is the pass number, 1 to times: never an argument's name
# keys every layer, block use and repeat takes besides its own arguments
ITEM_KEYS = ("name", "from", "trainable")
TRAINABLE_SCHEMA = {
    "anyOf": [{"type": "boolean"}, REFERENCE],
    "default": True,
    "description": "false: the params of every layer inside count as non-trainable (frozen)",
}
TENSOR = {
    "anyOf": [{"type": "string", "minLength": 1}, {"type": "integer", "maximum": -1}],
    "description": "an earlier layer's name, 'input', an input's name, R.k (pass k of repeat R), "
    "R.* (every pass, in a merge's 'from' only), or -1, -2, ... counting back in the same list",
}


@record
class Kind:
    """What an argument of one kind accepts."""

    expected: str  # for messages: "an int or a list of ints"
    json_type: str  # of one plain value: integer, number, boolean, string
    lists: bool = False  # also a list of 1 to `most` values
    most: int = 3  # one per spatial axis; 4 for a list over every axis (channels first)
    words: tuple[str, ...] = ()  # also these words
    arithmetic: bool = True  # a quoted expression (else only a plain $argument, or nothing for text)


KINDS: dict[str, Kind] = {
    "int": Kind("an int", "integer"),
    "size": Kind("an int or a list of ints", "integer", lists=True),
    "padding": Kind("an int, a list of ints, 'same' or 'valid'", "integer", lists=True, words=("same", "valid")),
    "axes": Kind("an int or a list of ints (one per axis, channels first)", "integer", lists=True, most=4),
    "float": Kind("a number", "number"),
    "bool": Kind("true or false", "boolean", arithmetic=False),
    "str": Kind("text", "string", arithmetic=False),
    # a reference to an earlier tensor (`like: X`): resolved by the loader, never coerced
    "tensor": Kind("a layer's name, 'input', or -1, -2, ...", "string", arithmetic=False),
}
_INT_KINDS = frozenset(name for name, kind in KINDS.items() if kind.json_type == "integer")


# --- a written value → the declared kind ----------------------------------------------


def coerce(raw: Any, spec: ArgSpec, variables: Mapping[str, Any], at: SourceLoc, layer: str) -> Any:
    """A written argument value → the type its layer declares, or a located error."""
    upper = MAX_SIZE if spec.maximum is None else spec.maximum
    if type(raw) is int and spec.kind in _INT_KINDS and spec.minimum <= raw <= upper:
        return raw  # the common case first: what the checks below return for a plain int in range
    kind = KINDS[spec.kind]
    what = f"'{spec.name}'" if layer == spec.name else f"{layer} '{spec.name}'"
    written = ""
    if isinstance(raw, str) and raw not in kind.words and kind.json_type != "string":
        written, raw = raw, _from_text(raw, spec, kind, variables, at, what)
    if raw is None:
        optional = "" if spec.required else ", or leave the argument out"
        raise SpecError(f"{what} needs a value", at, f"write {kind.expected}{optional}")
    return _CONVERT[kind.json_type](raw, spec, kind, _Written(variables, at, what, layer, written))


@record
class _Written:
    """Where a value was written, for its messages."""

    variables: Mapping[str, Any]
    at: SourceLoc
    what: str  # "conv 'kernel'"
    layer: str
    text: str  # the expression it came from, or ""


def _from_text(raw: str, spec: ArgSpec, kind: Kind, variables: Mapping[str, Any], at: SourceLoc, what: str) -> Any:
    """A text where a number (or a bool, a size) belongs: an expression, or a mistake."""
    if is_expression(raw):
        return evaluate_text(raw, variables, at)
    if kind.words:
        raise SpecError(
            f"unknown {spec.kind} '{raw}'", at, did_you_mean(raw, kind.words) + " (or an int, or a list of ints)"
        )
    if raw in variables:
        hint = f"to use the argument '{raw}', write '${raw}'"
    elif raw in KINDS["padding"].words:
        hint = f"'{raw}' is a padding of conv and pooling layers only, for every axis at once"
    else:
        close = did_you_mean(raw, variables)
        hint = close.replace("'", "'$", 1) if close.startswith("did you") else f"write {kind.expected}"
    raise SpecError(f"{what} must be {kind.expected}, not the text '{raw}'", at, hint)


def _to_bool(raw: Any, spec: ArgSpec, kind: Kind, w: _Written) -> bool:
    if not isinstance(raw, bool):
        raise SpecError(f"{w.what} must be true or false, not {describe(raw)}", w.at)
    return raw


def _to_str(raw: Any, spec: ArgSpec, kind: Kind, w: _Written) -> str:
    if not isinstance(raw, str):
        raise SpecError(f"{w.what} must be text, not {describe(raw)}", w.at)
    return raw


def _to_float(raw: Any, spec: ArgSpec, kind: Kind, w: _Written) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise SpecError(f"{w.what} must be a number, not {describe(raw)}", w.at)
    _check_range(raw, spec, w.what, w.at)  # before float(): a huge int does not convert
    if not math.isfinite(raw):
        raise SpecError(f"{w.what} must be a finite number, not {raw}", w.at)
    return float(raw)


def _to_int(raw: Any, spec: ArgSpec, kind: Kind, w: _Written) -> Any:
    """An int; for a kind with lists, a list of ints too; for one with words, those words."""
    what, at = w.what, w.at
    if kind.lists and isinstance(raw, YSeq | tuple | list):
        locs = raw.locs if isinstance(raw, YSeq) else [at] * len(raw)
        if not 1 <= len(raw) <= kind.most:
            per = "sizes (one per spatial axis)" if kind.most == 3 else "values (one per axis, channels first)"
            raise SpecError(f"{what} must list 1 to {kind.most} {per}, not {len(raw)}", at)
        item_spec = replace_record(spec, kind="int")
        return tuple(coerce(item, item_spec, w.variables, locs[i], w.layer) for i, item in enumerate(raw))
    if raw in kind.words:
        return raw
    if isinstance(raw, bool):
        raise SpecError(f"{what} must be {kind.expected}; a bool is not an int", at)
    if isinstance(raw, float):
        if not w.text and raw.is_integer():
            raise SpecError(f"{what} must be an int, not the float {raw!r}", at, f"write {int(raw)}")
        if not w.text or not raw.is_integer():
            shown_value = f'"{w.text}" = {raw:g}' if w.text else f"{raw:g}"
            raise SpecError(
                f"{what} must be a whole number, not {shown_value}",
                at,
                "round it with floor(), ceil(), round() or make_divisible()" if w.text else "write an int",
            )
        raw = int(raw)
    if not isinstance(raw, int):
        raise SpecError(f"{what} must be {kind.expected}, not {describe(raw)}", at)
    _check_range(raw, spec, what, at)
    return raw


_CONVERT: dict[str, Callable[..., Any]] = {
    "boolean": _to_bool,
    "string": _to_str,
    "number": _to_float,
    "integer": _to_int,
}


def _check_range(value: float, spec: ArgSpec, what: str, at: SourceLoc) -> None:
    if value < spec.minimum:
        raise SpecError(f"{what} must be at least {shown(spec.minimum)}, not {shown(value, spec.minimum)}", at)
    upper = MAX_SIZE if spec.maximum is None else spec.maximum
    if value > upper:
        raise SpecError(f"{what} must be at most {shown(upper)}, not {shown(value, upper)}", at)


def shown(value: float, bound: float | None = None) -> str:
    """A number for a message: 2,147,483,647; 0.5; a 400-digit number (never a float overflow).
    Beside a ``bound`` it differs from, it takes the digits that show the difference
    ("at most 1, not 1.00000000001", never "not 1")."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        number = int(value)
        return f"{number:,}" if abs(number) < 10**15 else f"a {len(str(abs(number))):,}-digit number"
    text = f"{value:g}"
    digits = 6
    while bound is not None and value != bound and float(text) == float(bound) and digits < 17:
        digits += 1
        text = f"{value:.{digits}g}"
    return text


# --- expressions and block arguments ---------------------------------------------------


def is_expression(text: str) -> bool:
    return "$" in text or any(c in text for c in "+-*/()") or text[:1].isdigit()


def evaluate_text(text: str, variables: Mapping[str, Any], at: SourceLoc) -> Any:
    """An expression's value; a plain ``$name`` keeps lists and bools."""
    stripped = text.strip()
    if stripped.startswith("$") and stripped[1:].isidentifier() and stripped[1:] in variables:
        return variables[stripped[1:]]
    from ..expr import ExprError, evaluate  # not at start-up: most specs hold no expression

    try:
        return evaluate(text, variables)
    except ExprError as error:
        if PASS not in variables and error.message.startswith(f"unknown argument '${PASS}'"):
            raise SpecError(
                f"'$pass' is a repeat's pass number, and \"{text}\" is not inside a repeat",
                at,
                "use $pass within 'repeat: {times: n, layers: [...]}', or give a block an argument for it",
            ) from None
        raise SpecError(error.message, at, error.hint) from None


def resolve(raw: Any, variables: Mapping[str, Any], at: SourceLoc) -> Any:
    """A block argument's value: expressions evaluated, lists item by item."""
    if isinstance(raw, YSeq):
        return tuple(resolve(item, variables, raw.locs[i]) for i, item in enumerate(raw))
    if isinstance(raw, str) and raw not in ("same", "valid", REQUIRED) and is_expression(raw):
        return evaluate_text(raw, variables, at)
    if isinstance(raw, YMap):
        raise SpecError("a block argument must be a number, a word, true/false or a list, not a mapping", at)
    return raw


def resolve_default(key: str, raw: Any, earlier: Mapping[str, Any], declared: YMap) -> Any:
    """An argument's default, which may use the arguments declared before it."""
    try:
        return resolve(raw, earlier, declared.value_locs[key])
    except SpecError as error:
        if not error.message.startswith("unknown argument"):
            raise
        from ..expr import variables as expression_variables

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


# --- the JSON Schema of a value, from the same table -------------------------------------


def json_schema(spec: ArgSpec) -> dict[str, Any]:
    """The JSON Schema of one argument's value."""
    kind = KINDS[spec.kind]
    if spec.kind == "tensor":
        return {"$ref": "#/$defs/tensor"}
    if kind.json_type == "string":
        return {"type": "string"}
    if not kind.arithmetic:
        return {"anyOf": [{"type": kind.json_type}, {"$ref": "#/$defs/reference"}]}
    expression = {"$ref": "#/$defs/expression"}
    one = _number_schema(spec, kind.json_type)
    if not kind.lists:
        return {"anyOf": [one, expression]}
    sizes = {"type": "array", "minItems": 1, "maxItems": kind.most, "items": {"anyOf": [dict(one), expression]}}
    words = [{"enum": list(kind.words)}] if kind.words else []
    return {"anyOf": [*words, one, sizes, expression]}


def _number_schema(spec: ArgSpec, json_type: str) -> dict[str, Any]:
    upper = spec.maximum if spec.maximum is not None else MAX_SIZE
    if json_type == "integer":
        return {"type": json_type, "minimum": int(spec.minimum), "maximum": int(upper)}
    return {"type": json_type, "minimum": spec.minimum, "maximum": upper}


def arguments_schema(layer_type: LayerType) -> dict[str, Any]:
    """The JSON Schema of a layer type's arguments (and its name)."""
    properties: dict[str, Any] = {"name": {"type": "string", "minLength": 1, "description": "the layer's name"}}
    for spec in layer_type.schema:
        value = json_schema(spec)
        value["description"] = spec.doc + (" (required)" if spec.required else "")  # as `cnncalc layers` says it
        if not spec.required:
            value["default"] = list(spec.default) if isinstance(spec.default, tuple) else spec.default
        properties[spec.name] = value
    required = [s.name for s in layer_type.schema if s.required]
    schema: dict[str, Any] = {
        "type": "object" if required else ["object", "null"],
        "properties": properties,
        # what it reads, if not the previous layer; whether its params are trained
        "patternProperties": {"^from$": {"$ref": "#/$defs/tensor"}, "^trainable$": TRAINABLE_SCHEMA},
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if layer_type.doc:
        schema["description"] = layer_type.doc.split("\n")[0]
    return schema
