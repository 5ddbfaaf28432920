"""What `cnncalc layers TYPE` and docs/spec-format.md say about a layer type beyond
its arguments (which the registry declares, each with its meaning): the formulas
of its output size, params, MACs and receptive field, and an example that the
engine works out when it is shown, so it cannot go stale.

Formulas are written out for the types whose figures are arithmetic on their
arguments; a type not listed here says what it does in its rule's docstring."""

from __future__ import annotations

from typing import Any

# The window formulas every conv and pooling layer shares (cnncalc.shapes).
_OUT = "(in + 2·padding − k_eff) / stride + 1 per spatial axis, floored (k_eff = dilation·(kernel − 1) + 1)"
_RF = "r_out = r_in + (k_eff − 1)·j_in, j_out = j_in·stride (r: field size, j: jump, per axis)"
_POINTWISE = {"output": "the input's shape", "params": "0", "macs": "0", "rf": "unchanged"}

FORMULAS: dict[str, dict[str, str]] = {
    "conv": {
        "output": f"[filters, …] with {_OUT}",
        "params": "filters·(C/groups)·∏kernel + filters (bias)",
        "macs": "output elements × (C/groups)·∏kernel",
        "rf": _RF,
    },
    "depthwise_conv": {
        "output": f"[C·multiplier, …] with {_OUT}",
        "params": "C·multiplier·∏kernel + C·multiplier (bias)",
        "macs": "output elements × ∏kernel",
        "rf": _RF,
    },
    "separable_conv": {
        "output": f"[filters, …] with {_OUT}",
        "params": "C·multiplier·∏kernel + filters·C·multiplier + filters (bias, pointwise part only)",
        "macs": "depthwise output elements × ∏kernel + output elements × C·multiplier",
        "rf": _RF,
    },
    "conv_transpose": {
        "output": "[filters, …] with (in − 1)·stride − 2·padding + k_eff + output_padding per spatial axis",
        "params": "C·(filters/groups)·∏kernel + filters (bias)",
        "macs": "input positions × C·(filters/groups)·∏kernel (as torch's flop counter)",
        "rf": "r_out = r_in + (ceil(k_eff/stride) − 1)·j_in, j_out = j_in/stride",
    },
    "maxpool": {"output": f"[C, …] with {_OUT}; stride defaults to kernel", "params": "0", "macs": "0", "rf": _RF},
    "avgpool": {"output": f"[C, …] with {_OUT}; stride defaults to kernel", "params": "0", "macs": "0", "rf": _RF},
    "global_avgpool": {"output": "[C]", "params": "0", "macs": "0", "rf": "all (the whole input)"},
    "global_maxpool": {"output": "[C]", "params": "0", "macs": "0", "rf": "all (the whole input)"},
    "adaptive_avgpool": {
        "output": "[C, *output]",
        "params": "0",
        "macs": "0",
        "rf": "r_out = r_in + (w − 1)·j_in, j_out = j_in·in/output (w: the widest window; all for output 1)",
    },
    "adaptive_maxpool": {
        "output": "[C, *output]",
        "params": "0",
        "macs": "0",
        "rf": "r_out = r_in + (w − 1)·j_in, j_out = j_in·in/output (w: the widest window; all for output 1)",
    },
    "dense": {
        "output": "[units, …] (on every position of a spatial input)",
        "params": "C·units + units (bias)",
        "macs": "positions × C·units",
        "rf": "unchanged on a spatial input; all after flatten",
    },
    "batchnorm": {**_POINTWISE, "params": "2C trainable (γ, β) + 2C non-trainable (running mean, variance)"},
    "layernorm": {**_POINTWISE, "params": "2C trainable (γ, β)"},
    "flatten": {"output": "[∏ of the axes from start on] (start 0: one axis)", "params": "0", "macs": "0", "rf": "all"},
    "dropout": dict(_POINTWISE),
    "zero_pad": {
        "output": "[C, …] with in + 2·padding per spatial axis",
        "params": "0",
        "macs": "0",
        "rf": "unchanged (starts shift by padding)",
    },
    "upsample": {
        "output": "[C, …] with in·scale (or size) per spatial axis",
        "params": "0",
        "macs": "0",
        "rf": "j_out = j_in/scale",
    },
}

FORMULAS.update(
    {
        "lrn": dict(_POINTWISE),
        "stochastic_depth": dict(_POINTWISE),
        "identity": dict(_POINTWISE),
        "prelu": {**_POINTWISE, "params": "1 (shared) or C"},
        "scale": {**_POINTWISE, "params": "C, or 2C with bias"},
        "groupnorm": {**_POINTWISE, "params": "2C trainable (γ, β)"},
        "instancenorm": {**_POINTWISE, "params": "2C trainable with affine, else 0"},
        "channel_shuffle": dict(_POINTWISE),
        # the rest as SPEC-FORMAT.md's version 2 table gives them
        "channel_maxpool": {**_POINTWISE, "output": "[C/kernel, …]"},
        "add": {**_POINTWISE, "output": "the broadcast shape (each axis equal, or 1)", "rf": "the largest input's"},
        "multiply": {
            **_POINTWISE,
            "output": "the broadcast shape (each axis equal, or 1)",
            "rf": "the largest input's",
        },
        "concat": {
            **_POINTWISE,
            "output": "the inputs stacked on axis (0: channels); the other axes equal",
            "rf": "the largest input's",
        },
        "slice": {**_POINTWISE, "output": "[start, stop) of axis, the other axes unchanged (a view)"},
        "reshape": {**_POINTWISE, "output": "shape (one entry may be −1); the element count unchanged", "rf": "all"},
        "permute": {**_POINTWISE, "output": "the axes in order", "rf": "all"},
        "crop": {**_POINTWISE, "output": "[C, …] with size per spatial axis (centre crop)", "rf": "start moves"},
        "space_to_depth": {
            **_POINTWISE,
            "output": "[C·block^n, …] with ceil(in / block) per spatial axis",
            "rf": "r_out = r_in + (block − 1)·j_in, j_out = j_in·block",
        },
        "depth_to_space": {
            **_POINTWISE,
            "output": "[C/block^n, …] with in·block per spatial axis",
            "rf": "j_out = j_in/block",
        },
        "class_token": {**_POINTWISE, "output": "[D, N + 1]", "params": "D"},
        "position_embedding": {**_POINTWISE, "params": "D·N when learned, else 0"},
        "attention": {
            **_POINTWISE,
            "params": "4D² (+ 4D with both biases)",
            "macs": "4·N·D² + 2·N²·D (N: the positions)",
            "rf": "all (every position sees every other)",
        },
        "window_attention": {
            **_POINTWISE,
            "params": "4C² (+ 4C with both biases) + ∏(2·wᵢ − 1)·heads (relative-position bias)",
            "macs": "per window of W = ∏wᵢ positions, 4·W·C² + 2·W²·C; times ∏ceil(sizeᵢ/wᵢ) windows",
            "rf": "r_out = r_in + (window − 1)·j_in (a stride-1 window)",
        },
    }
)


def formulas(layer_type: Any) -> dict[str, str] | None:
    """The type's formulas: declared above, or an element-wise activation's."""
    from .registry import ACTIVATION

    found = FORMULAS.get(layer_type.name)
    return found if found is not None or ACTIVATION not in layer_type.tags else dict(_POINTWISE)


# An example per type: its input and arguments; the figures are the engine's.
EXAMPLES: dict[str, tuple[tuple[int, ...], dict[str, Any] | None]] = {
    "conv": ((3, 32, 32), {"filters": 64, "kernel": 3, "padding": 1}),
    "depthwise_conv": ((32, 56, 56), {"kernel": 3, "stride": 2, "padding": 1}),
    "separable_conv": ((32, 56, 56), {"filters": 64, "kernel": 3, "padding": 1}),
    "conv_transpose": ((64, 16, 16), {"filters": 32, "kernel": 2, "stride": 2}),
    "maxpool": ((64, 32, 32), {"kernel": 2}),
    "avgpool": ((64, 32, 32), {"kernel": 3, "stride": 2, "padding": 1}),
    "adaptive_avgpool": ((512, 14, 14), {"output": 7}),
    "adaptive_maxpool": ((512, 14, 14), {"output": 7}),
    "channel_maxpool": ((64, 8, 8), {"kernel": 2}),
    "dense": ((512,), {"units": 10}),
    "zero_pad": ((3, 32, 32), {"padding": 2}),
    "upsample": ((64, 16, 16), {"scale": 2}),
    "crop": ((64, 64, 64), {"size": 56}),
    "groupnorm": ((64, 32, 32), {"groups": 32}),
    "channel_shuffle": ((116, 28, 28), {"groups": 2}),
    "slice": ((116, 28, 28), {"stop": 58}),
    "reshape": ((64, 8, 8), {"shape": [64, -1]}),
    "permute": ((64, 8, 8), {"order": [1, 2, 0]}),
    "space_to_depth": ((64, 8, 8), {"block": 2}),
    "depth_to_space": ((64, 8, 8), {"block": 2}),
    "attention": ((768, 197), {"heads": 12}),
    "window_attention": ((96, 56, 56), {"heads": 3, "window": 7}),
    "class_token": ((768, 196), None),
    "position_embedding": ((768, 197), None),
    "layernorm": ((768, 197), None),
    "flatten": ((64, 7, 7), None),
}
DEFAULT_INPUT = (64, 32, 32)  # the example input of a type not listed, used bare


def example(name: str) -> tuple[str, Any] | None:
    """A type's example as YAML (one layer) and its report, worked out by the engine;
    None for a type that needs arguments and has no example declared."""
    import json

    from .engine import run
    from .loader import load
    from .registry import REGISTRY

    layer_type = REGISTRY.get(name)
    if layer_type is None or layer_type.arity is None:  # merges take branches: spec-format.md shows them
        return None
    shape, args = EXAMPLES.get(name, (DEFAULT_INPUT, None))
    if args is None and any(spec.required for spec in layer_type.schema):
        return None
    written = (
        name if args is None else f"{name}: " + "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in args.items()) + "}"
    )
    text = f"input: {list(shape)}\nlayers:\n  - {written}\n"
    return written, run(load(text, f"<example of {name}>"))
