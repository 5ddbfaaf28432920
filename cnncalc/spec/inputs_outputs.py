"""The spec's inputs (``input``, or version 2's ``inputs``: a mapping, in order) and
its outputs (version 2's ``outputs``: a list of references, or a mapping of names
to references; without it, ``main`` and the heads, as in version 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import SourceLoc, SpecError
from ..graph import input_index
from ..registry import ArgSpec
from .references import reference
from .values import coerce
from .yamltree import YMap, YSeq, describe

if TYPE_CHECKING:
    from .builder import Builder, Scope

Shape = tuple[int, ...]


def declared_inputs(document: YMap) -> tuple[dict[str, Shape], tuple[SourceLoc, ...]]:
    """Every input, name → shape, in order ("input" for version 1's one), and where each is written."""
    if "inputs" not in document:
        return {"input": input_shape(document["input"], document.value_locs["input"])}, (document.value_locs["input"],)
    if "input" in document:
        raise SpecError(
            "the spec has both 'input' and 'inputs'",
            document.key_locs["inputs"],
            "give one: 'input: [3, 224, 224]', or 'inputs: {image: [3, 224, 224], ...}' for several",
        )
    declared = document["inputs"]
    at = document.value_locs["inputs"]
    if not isinstance(declared, YMap) or not declared:
        raise SpecError(
            f"'inputs' must be a mapping of names to shapes, not {describe(declared)}",
            at,
            "write e.g. 'inputs: {image: [3, 640, 640], depth: [1, 640, 640]}'",
        )
    shapes: dict[str, Shape] = {}
    for name, value in declared.items():
        if not isinstance(name, str) or not name or "." in name or name == "main":
            raise SpecError(
                f"an input's name must be text without '.', and not 'main', not {describe(name)}",
                declared.key_locs[name],
                "e.g. 'image'",
            )
        if name == "input" and shapes:
            raise SpecError(
                "only the first input may be called 'input' (it is what 'input' reads)",
                declared.key_locs[name],
                "give this input another name",
            )
        shapes[name] = input_shape(value, declared.value_locs[name], f"input '{name}'")
    return shapes, tuple(declared.value_locs[name] for name in declared)


def input_shape(value: Any, at: SourceLoc, what: str = "'input'") -> Shape:
    if not isinstance(value, YSeq) or not 1 <= len(value) <= 4:
        raise SpecError(
            f"{what} must be a list of 1 to 4 sizes, channels first, not "
            + (f"{len(value)} sizes" if isinstance(value, YSeq) and value else describe(value)),
            at,
            "e.g. [3, 224, 224] for an RGB image, [1, 16000] for 1-D, [784] for a flat vector",
        )
    spec = ArgSpec("input", "int", True, None, 1, None)
    return tuple(coerce(item, spec, {}, value.locs[i], "input") for i, item in enumerate(value))


def claim_inputs(b: Builder, names: dict[str, Shape], locs: tuple[SourceLoc, ...]) -> None:
    """Make the spec's inputs visible everywhere (also inside blocks), by name."""
    for k, (name, at) in enumerate(zip(names, locs)):
        if name != "input":  # version 1's input is read as 'input' (scope.entry), and claims no name
            b.inputs[name] = input_index(k)
            b.names[name] = at


def declared_outputs(b: Builder, document: YMap, scope: Scope, main: int) -> dict[str, int]:
    """The network's outputs, name → tensor index: ``outputs`` resolved (counting back
    in the top-level list), or ``main`` and the heads."""
    if "outputs" not in document:
        return {"main": main, **b.outputs}
    written = document["outputs"]
    at = document.value_locs["outputs"]
    b.referenced = True
    b.history.append(b.finished)  # -1 is the last top-level layer
    try:
        if isinstance(written, YSeq) and written:
            found: dict[str, int] = {}
            for i, ref in enumerate(written):
                index = reference(b, ref, written.locs[i], scope, "outputs")
                name = ref if isinstance(ref, str) else _tensor_name(b, index)
                _unique(name, found, written.locs[i])
                found[name] = index
            return found
        if isinstance(written, YMap) and written:
            outputs: dict[str, int] = {}
            for name, ref in written.items():
                if not isinstance(name, str) or not name:
                    raise SpecError(f"an output's name must be text, not {describe(name)}", written.key_locs[name])
                outputs[name] = reference(b, ref, written.value_locs[name], scope, "outputs")
            return outputs
    finally:
        b.history.pop()
    raise SpecError(
        f"'outputs' must be a list of tensors or a mapping of names to tensors, not {describe(written)}",
        at,
        "write e.g. 'outputs: [p3, p4, p5]' or 'outputs: {boxes: head1, scores: head2}'",
    )


def _tensor_name(b: Builder, index: int) -> str:
    if index >= 0:
        return b.nodes[index].name
    return next((name for name, i in b.inputs.items() if i == index), "input")


def _unique(name: str, found: dict[str, int], at: SourceLoc) -> None:
    if name in found:
        raise SpecError(f"outputs: '{name}' is listed twice", at, "list each output once")
