"""What a layer type says of itself in words, for ``cnncalc layers TYPE``,
``cnncalc schema``'s descriptions and docs/spec-format.md: what each argument
means (by its name), and, declared with the type's rule
(``@layer(..., formulas=..., example=...)``), the formulas of its output size,
params, MACs and receptive field and a worked example, whose figures the engine
works out when it is shown (cnncalc.reference), so they cannot go stale.
"""

from __future__ import annotations

from typing import Any

from .record import record

# What each argument means, by name: one meaning per name across the layer types;
# an argument whose name means something else in its type says so with arg(doc=...).
# `cnncalc layers`, `cnncalc schema` and docs/spec-format.md all read these.
ARG_DOCS: dict[str, str] = {
    "filters": "output channels",
    "kernel": "window size: one int, or one per spatial axis",
    "stride": "step of the window: one int, or one per spatial axis",
    "padding": "zeros added on both sides of each spatial axis; 'same' (TensorFlow's, exact) or 'valid' (0)",
    "dilation": "spacing of the kernel's taps: the window spans dilation·(kernel − 1) + 1",
    "groups": "split the channels into this many groups (it must divide them)",
    "bias": "add a learned bias per output channel",
    "allow_inexact": "accept a size division with a remainder (floored, as PyTorch does) in cnncalc check",
    "multiplier": "depthwise filters per input channel",
    "output_padding": "extra rows/columns on one side of the output (to reach an exact size)",
    "ceil_mode": "round the output size up instead of down (PyTorch's ceil_mode)",
    "output": "output size per spatial axis",
    "size": "output size per spatial axis",
    "rate": "probability of dropping, from 0 to 1 (nothing changes shape)",
    "units": "output features",
    "axis": "the axis (0: the channels, then the spatial axes)",
    "shared": "one slope for every channel (else one per channel)",
    "affine": "learn γ and β per channel (2C params)",
    "start": "first index taken",
    "stop": "index after the last one taken",
    "shape": "the new shape, channels first; one entry may be -1 (inferred)",
    "order": "output axis i is input axis order[i] (0: the channels)",
    "block": "block size b: b^n positions move to or from the channels",
    "pad": "pad the map up to a multiple first (else the size must divide)",
    "scale": "integer factor per spatial axis",
    "mode": "interpolation: nearest, linear, bilinear, bicubic or trilinear (no params either way)",
    "learned": "a learned embedding (D·N params), else a fixed sinusoidal one",
    "heads": "attention heads; they must divide the model dimension",
    "qkv_bias": "biases on the query, key and value projections",
    "proj_bias": "a bias on the output projection",
    "window": "window size per spatial axis (attention within each window)",
    "shift": "cyclic shift of the windows (Swin's shifted windows), per spatial axis",
}


@record
class Formulas:
    """The formulas of a type, in words; the defaults are a pointwise layer's."""

    output: str = "the input's shape"
    params: str = "0"
    macs: str = "0"
    rf: str = "unchanged"


@record
class Example:
    """One layer of the type on ``input`` (channels first), with ``args`` (None: written bare)."""

    input: tuple[int, ...]
    args: dict[str, Any] | None = None


POINTWISE = Formulas()  # same shape, no params, no MACs, the field unchanged

# The window formulas every conv and pooling layer shares (cnncalc.shapes).
WINDOW_OUT = "(in + 2·padding − k_eff) / stride + 1 per spatial axis, floored (k_eff = dilation·(kernel − 1) + 1)"
WINDOW_RF = (
    "r_out = r_in + (k_eff − 1)·j_in, j_out = j_in·stride (r: field size, j: jump, per axis);"
    " past an upsampling, the widest field an output position sees, followed position by position"
)
