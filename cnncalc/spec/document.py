"""A whole spec: its text parsed, its top-level keys (input, dtype, args,
blocks, name, description) read, and its layers lowered into a :class:`Graph`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import layers as _layers  # noqa: F401  (registers the built-in types)
from ..errors import SourceLoc, SpecError, SpecErrors, did_you_mean
from ..graph import INPUT, Graph
from ..limits import DEFAULT_DTYPE, DTYPE_BYTES, MAX_ERRORS, MAX_FILE_BYTES, MAX_LAYERS, MAX_SIZE
from .blocks import BLOCK, PASS_TAKEN
from .builder import Builder, Scope
from .counting import Counter
from .inputs_outputs import claim_inputs, declared_inputs, declared_outputs
from .values import PASS, resolve_default
from .yamltree import YMap, YSeq, describe, parse

TOP_KEYS = ("name", "description", "input", "inputs", "dtype", "args", "blocks", "layers", "outputs")


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
    argument, a bad value) do not stop the reading: they are raised at the
    end as one SpecErrors holding them all, up to MAX_ERRORS."""
    document = _document(text, file)
    inputs, input_locs = declared_inputs(document)
    dtype = _dtype(document)
    global_args = _spec_args(document, overrides or {})
    blocks = BLOCK.definitions(document)
    builder = Builder(file, blocks, global_args, Counter(blocks, max_layers))
    if every_error:
        builder.errors = []
    claim_inputs(builder, inputs, input_locs)
    scope = Scope(dict(global_args), "", {})
    layers = document["layers"]
    if isinstance(layers, YSeq) and not layers:
        raise SpecError("'layers' is empty", document.value_locs["layers"], "list at least one layer")
    builder.counter.refuse_oversized(layers, scope.variables)
    for name, value in (("name", document.get("name")), ("description", document.get("description"))):
        if value is not None and not isinstance(value, str):
            builder.note(SpecError(f"'{name}' must be text, not {describe(value)}", document.value_locs[name]))
    outputs: dict[str, int] = {}
    try:
        main = builder.layers(layers, document.value_locs["layers"], scope, INPUT, "layers")
        outputs = declared_outputs(builder, document, scope, main)
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
        input=next(iter(inputs.values())),
        input_loc=input_locs[0],
        dtype=dtype,
        nodes=tuple(builder.nodes),
        outputs=outputs,
        groups=tuple(builder.groups),
        description=document.get("description") or "",
        args=global_args,
        references=builder.referenced or "inputs" in document,  # version 2: rows list their inputs
        inputs=inputs if "inputs" in document else {},
        input_locs=input_locs,
    )


def _document(text: str, file: str) -> YMap:
    """The spec's top-level mapping, with its keys checked."""
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
        if key not in document and not (key == "input" and "inputs" in document):
            raise SpecError(f"the spec has no '{key}'", document.loc, _MISSING_HINT[key])
    return document


def _dtype(document: YMap) -> str:
    dtype = document.get("dtype", DEFAULT_DTYPE)
    if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
        raise SpecError(
            f"unknown dtype {describe(dtype)}"
            if isinstance(dtype, str)
            else f"'dtype' must be a name, not {describe(dtype)}",
            document.value_locs["dtype"],
            did_you_mean(str(dtype), DTYPE_BYTES),
        )
    return dtype


_MISSING_HINT = {
    "input": "add e.g. 'input: [3, 224, 224]' (channels first)",
    "layers": "add 'layers:' with one '- type' per line",
}


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
        if key == PASS:
            raise SpecError(PASS_TAKEN, declared.key_locs[key], "choose another name")
        # in order, so a later default may use an earlier argument, overridden or not
        values[key] = overrides[key] if key in overrides else resolve_default(key, raw, values, declared)
    return values


def load_data(data: Mapping[str, Any], **options: Any) -> Graph:
    """A spec given as Python data (the API's dict form)."""
    from .yamltree import dump

    return load(dump(dict(data)), "<dict>", **options)
