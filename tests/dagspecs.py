"""Hypothesis strategies for random valid DAG specs (SPEC-FORMAT version 2), for
test_dag_properties.py.

``twin_dags()`` draws one network and writes it twice: flat, every branch's
layers in the top-level list and read with ``from`` (names and negative
counts), and nested, each merge with its list of branches. Both also hold
long skips (a merge ``from`` an earlier top-level tensor of a fitting shape),
written the same way in both, so the flat one is any DAG these items make.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

Shape = tuple[int, ...]
MERGES = ("add", "multiply", "concat")


@st.composite
def _branch(draw: Any, shape: Shape, merge: str) -> tuple[list[Any], Shape]:
    """A short chain on ``shape``: for add and multiply its output broadcasts
    against ``shape`` (the same, or a gate [C, 1, 1] / [C, 1, W]); for concat, any channels."""
    channels, height, width = shape
    if merge != "concat" and draw(st.integers(0, 3)) == 0:  # a squeeze-and-excitation style gate
        pooled = draw(st.sampled_from([[1, 1], [1, width], [height, 1]]))
        gate = [{"adaptive_avgpool": {"output": pooled}}, {"conv": {"filters": channels, "kernel": 1}}, "sigmoid"]
        return gate, (channels, *pooled)
    layers: list[Any] = []
    out = channels
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["conv1", "conv3", "relu", "batchnorm"]))
        if kind.startswith("conv"):
            out = channels if merge != "concat" else draw(st.integers(1, 8))
            args: dict[str, Any] = {"filters": out, "kernel": 1 if kind == "conv1" else 3}
            if kind == "conv3":
                args["padding"] = 1
            layers.append({"conv": args})
        else:
            layers.append(kind)
    return layers, (out, height, width)


def _broadcast(shapes: list[Shape]) -> Shape:
    return tuple(max(sizes) for sizes in zip(*shapes))


@st.composite
def twin_dags(draw: Any, max_items: int = 6) -> tuple[dict[str, Any], dict[str, Any]]:
    """(flat, nested): the same network written with ``from`` and with branch lists."""
    shape: Shape = (draw(st.integers(1, 6)), draw(st.integers(1, 5)) * 2, draw(st.integers(1, 5)) * 2)
    flat: list[Any] = []
    nested: list[Any] = []
    tensors: dict[str, Shape] = {"input": shape}  # top-level tensors by name, for long skips
    current = "input"
    for item in range(draw(st.integers(1, max_items))):
        name = f"t{item}"
        kind = draw(st.sampled_from(["layer", "layer", "merge", "merge", "skip"]))
        merge = draw(st.sampled_from(MERGES))
        fitting = [n for n, s in tensors.items() if n != current and _fits(merge, s, shape)]
        if kind == "skip" and not fitting:
            kind = "layer"
        if kind == "layer":
            layer, shape = draw(_top_layer(shape))
            key = next(iter(layer))
            written = {key: {**layer[key], "name": name}}
            flat.append(written)
            nested.append(written)
        elif kind == "skip":  # a merge of the current tensor and an earlier one that fits it
            other = draw(st.sampled_from(fitting))
            inputs = draw(st.permutations([other, current]))
            written = {merge: {"from": inputs, "name": name}}
            flat.append(written)
            nested.append(written)
            shape = _merged(merge, [tensors[n] for n in inputs])
        else:
            branches = [draw(_branch(shape, merge)) for _ in range(draw(st.integers(2, 3)))]
            refs: list[Any] = []
            for layers, _ in branches:
                if not layers:
                    refs.append(current)  # the identity: the fork itself
                    continue
                for k, layer in enumerate(layers):
                    # the first branch reads the fork, the layer before it; a later one names it
                    flat.append(_with_from(layer, current) if k == 0 and refs else layer)
                refs.append(len(flat) - 1)  # its last layer, by position
            here = len(flat)
            written_from = [r if isinstance(r, str) else r - here for r in refs]  # positions as -k
            flat.append({merge: {"from": written_from, "name": name}})
            nested.append({merge: {"branches": [layers for layers, _ in branches], "name": name}})
            shape = _merged(merge, [s for _, s in branches])
        tensors[name] = shape
        current = name
    start = {"input": [*tensors["input"]]}
    return {**start, "layers": flat}, {**start, "layers": nested}


def _with_from(layer: Any, source: str) -> Any:
    if isinstance(layer, str):
        return {layer: {"from": source}}
    key = next(iter(layer))
    return {key: {**layer[key], "from": source}}


def _fits(merge: str, a: Shape, b: Shape) -> bool:
    if merge == "concat":
        return a[1:] == b[1:]
    return all(x == y or x == 1 or y == 1 for x, y in zip(a, b))


def _merged(merge: str, shapes: list[Shape]) -> Shape:
    if merge == "concat":
        return (sum(s[0] for s in shapes), *shapes[0][1:])
    return _broadcast(shapes)


@st.composite
def _top_layer(draw: Any, shape: Shape) -> tuple[dict[str, Any], Shape]:
    """A top-level layer: a conv (1×1 or 3×3 padded), an activation, batchnorm, or a 2×2 max pool on even sizes."""
    channels, height, width = shape
    kinds = ["conv", "relu", "batchnorm"] + (["maxpool"] if height % 2 == 0 and width % 2 == 0 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "conv":
        filters = draw(st.integers(1, 8))
        kernel = draw(st.sampled_from([1, 3]))
        return {"conv": {"filters": filters, "kernel": kernel, "padding": kernel // 2}}, (filters, height, width)
    if kind == "maxpool":
        return {"maxpool": {"kernel": 2}}, (channels, height // 2, width // 2)
    return {kind: {}}, shape
