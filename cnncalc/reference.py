"""A layer type's worked example, for `cnncalc layers TYPE` and docs/spec-format.md:
the type declares it with its rule (``@layer(..., example=Example(input, args))``,
cnncalc.describe) and the engine works out its figures here, when it is shown,
so they cannot go stale."""

from __future__ import annotations

from typing import Any

DEFAULT_INPUT = (64, 32, 32)  # the example input of a type that declares none, used bare


def example(name: str) -> tuple[str, Any] | None:
    """A type's example as YAML (one layer) and its report, worked out by the engine;
    None for a merge, or a type that needs arguments and declares no example."""
    import json

    from .engine import run
    from .loader import load
    from .registry import REGISTRY

    layer_type = REGISTRY.get(name)
    if layer_type is None or layer_type.arity is None:  # merges take branches: spec-format.md shows them
        return None
    declared = layer_type.example
    shape, args = (declared.input, declared.args) if declared is not None else (DEFAULT_INPUT, None)
    if args is None and any(spec.required for spec in layer_type.schema):
        return None
    written = (
        name if args is None else f"{name}: " + "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in args.items()) + "}"
    )
    text = f"input: {list(shape)}\nlayers:\n  - {written}\n"
    return written, run(load(text, f"<example of {name}>"))
