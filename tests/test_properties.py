"""Tier 3: properties over random inputs (hypothesis).

- output size on one axis equals a brute-force count of window positions over
  the padded axis (floor, ceil_mode, 'same', transposed), and a layer is exact
  iff its division leaves no remainder, i.e. no position goes unused;
- over random valid chains (specgen.valid_chains): row sums equal the totals,
  the JSON round-trips, the receptive field never shrinks from a layer's input
  to its output, and every window row's arithmetic matches the brute force.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings, strategies as st
from specgen import valid_chains

import cnncalc
from cnncalc.render.text import render_csv, render_json
from cnncalc.shapes import window_axis

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the brute-force oracle -------------------------------------------------------------------


def positions(n: int, kernel: int, stride: int, dilation: int, padding: int | str, ceil_mode: bool = False) -> int:
    """Count the windows by sliding one over the padded axis, start by start."""
    k_eff = dilation * (kernel - 1) + 1
    if padding == "same":  # TensorFlow: one output per stride step inside the input
        return sum(1 for start in range(0, n, stride))
    pad = 0 if padding == "valid" else padding
    length = n + 2 * pad
    starts = [t for t in range(0, length) if t % stride == 0 and t + k_eff <= length]
    count = len(starts)
    left_over = bool(starts) and starts[-1] + k_eff < length  # positions after the last full window
    if ceil_mode and left_over and starts[-1] + stride < n + pad:  # PyTorch: it starts in input or left pad
        count += 1
    return count


def unused(n: int, kernel: int, stride: int, dilation: int, padding: int | str) -> int:
    """Positions of the padded axis after the last full window (0: exact)."""
    if padding == "same":
        return 0
    pad = 0 if padding == "valid" else padding
    k_eff = dilation * (kernel - 1) + 1
    last = max(t for t in range(0, n + 2 * pad) if t % stride == 0 and t + k_eff <= n + 2 * pad)
    return n + 2 * pad - (last + k_eff)


def scattered(n: int, kernel: int, stride: int, dilation: int, padding: int, output_padding: int) -> int:
    """Transposed: the span the input's scattered windows cover, cropped by the padding."""
    k_eff = dilation * (kernel - 1) + 1
    covered = {i * stride + j for i in range(n) for j in range(k_eff)}
    return max(covered) + 1 - 2 * padding + output_padding


windows = st.tuples(
    st.integers(1, 60),  # n
    st.integers(1, 9),  # kernel
    st.integers(1, 6),  # stride
    st.integers(1, 4),  # dilation
    st.one_of(st.integers(0, 5), st.sampled_from(["same", "valid"])),
    st.booleans(),  # ceil_mode
)


@SETTINGS
@given(windows)
def test_output_size_is_the_number_of_window_positions(window):
    n, kernel, stride, dilation, padding, ceil_mode = window
    pad = 0 if padding == "valid" else padding
    assume(padding == "same" or dilation * (kernel - 1) + 1 <= n + 2 * pad)
    # ceil_mode is pooling's: no dilation, and padding at most half the kernel (as PyTorch)
    ceil_mode = ceil_mode and padding != "same" and dilation == 1 and 2 * pad <= kernel
    division = window_axis("H", n, kernel, stride, dilation, padding, ceil_mode)
    assert division.out == positions(n, kernel, stride, dilation, padding, ceil_mode)
    assert division.exact == (unused(n, kernel, stride, dilation, padding) == 0)


@SETTINGS
@given(st.integers(1, 200), st.integers(1, 9), st.integers(1, 8))
def test_same_padding_gives_ceil_n_over_s(n, kernel, stride):
    division = window_axis("W", n, kernel, stride, 1, "same")
    assert division.out == -(-n // stride) == positions(n, kernel, stride, 1, "same")
    assert division.exact


@SETTINGS
@given(windows, st.sampled_from(["conv", "maxpool", "avgpool", "depthwise_conv"]))
def test_a_layer_through_the_whole_pipeline_matches_the_brute_force(window, kind):
    n, kernel, stride, dilation, padding, ceil_mode = window
    pooling = kind.endswith("pool")
    if pooling:
        dilation = 1
        if isinstance(padding, int):
            padding = min(padding, kernel // 2)
    pad = 0 if padding == "valid" else padding
    assume(padding == "same" or dilation * (kernel - 1) + 1 <= n + 2 * pad)
    args = {"kernel": [kernel, 1], "stride": stride, "padding": [padding, 0] if isinstance(padding, int) else padding}
    if pooling:
        args["ceil_mode"] = ceil_mode
    else:
        args["dilation"] = dilation
        if kind == "conv":
            args["filters"] = 4
    report = cnncalc.analyze({"input": [2, n, 7], "layers": [{kind: args}]})
    row = report.rows[0]
    effective_ceil = pooling and ceil_mode and padding != "same"
    assert row.output[1] == positions(n, kernel, stride, dilation, padding, effective_ceil)
    padding_w = padding if isinstance(padding, str) else 0
    assert row.output[2] == positions(7, 1, stride, 1, padding_w, effective_ceil)
    exact = unused(n, kernel, stride, dilation, padding) == 0 and unused(7, 1, stride, 1, padding_w) == 0
    assert row.exact == exact


@SETTINGS
@given(st.integers(1, 30), st.integers(1, 7), st.integers(1, 4), st.integers(1, 3), st.data())
def test_transposed_output_is_the_span_of_the_scattered_windows(n, kernel, stride, dilation, data):
    output_padding = data.draw(st.integers(0, max(stride, dilation) - 1))
    k_eff = dilation * (kernel - 1) + 1
    padding = data.draw(st.integers(0, ((n - 1) * stride + k_eff + output_padding - 1) // 2))
    args = {"filters": 2, "kernel": kernel, "stride": stride, "dilation": dilation}
    args.update(padding=padding, output_padding=output_padding)
    report = cnncalc.analyze({"input": [3, n], "layers": [{"conv_transpose": args}]})
    assert report.rows[0].output[1] == scattered(n, kernel, stride, dilation, padding, output_padding)


# --- random valid chains ----------------------------------------------------------------------


@SETTINGS
@given(valid_chains())
def test_row_sums_equal_the_totals(spec):
    report = cnncalc.analyze(spec)
    t = report.totals
    rows = report.rows
    assert t.trainable == sum(r.trainable for r in rows)
    assert t.non_trainable == sum(r.non_trainable for r in rows)
    assert t.params == sum(r.params for r in rows) == t.trainable + t.non_trainable
    assert t.macs == sum(r.macs for r in rows)
    assert t.flops == 2 * t.macs
    assert t.activations == report.input_activations + sum(r.activations for r in rows)
    assert t.activation_bytes == t.activations * report.dtype_bytes
    assert t.param_bytes == t.params * report.dtype_bytes
    assert t.inexact_layers == sum(1 for r in rows if not r.exact and not r.allow_inexact)


@SETTINGS
@given(valid_chains(), st.integers(1, 8))
def test_json_round_trips(spec, batch):
    report = cnncalc.analyze(spec, batch=batch)
    text = render_json(report)
    document = json.loads(text)
    assert document == report.to_dict()
    assert json.loads(json.dumps(document)) == document
    assert all(type(v) is int for v in document["totals"].values())
    assert sum(layer["params"] for layer in document["layers"]) == document["totals"]["params"]
    assert len(render_csv(report).splitlines()) == len(report.rows) + 1  # and the header


@SETTINGS
@given(valid_chains(max_layers=16))
def test_receptive_field_never_shrinks_along_a_chain(spec):
    report = cnncalc.analyze(spec)
    fields = {row.name: row.rf for row in report.rows}
    start = None if len(report.input) == 1 else tuple((1, 1) for _ in report.input[1:])
    for row in report.rows:
        for name in row.inputs:
            before = fields[name] if name != "input" else start
            if before is None:
                assert row.rf is None, (row.name, "covers the whole input once its input does")
                continue
            if row.rf is None:
                continue  # flatten, dense after it, or a global pool: the whole input
            # (size, uneven): past upsampling output positions see different widths (rf.Span), and
            # a stride may keep only the narrower ones, so the widest may shrink there
            sizes_before = (
                [(axis[0], False) for axis in before]
                if name == "input"
                else [(a.size, a.span is not None) for a in before]
            )
            for axis, (size_before, uneven) in zip(row.rf, sizes_before):
                assert uneven or axis.size >= size_before, (row.name, name)
                assert axis.jump > 0


@SETTINGS
@given(valid_chains(max_layers=16, allow_merge=False))
def test_every_division_matches_the_brute_force(spec):
    report = cnncalc.analyze(spec)
    shape = report.input
    for row in report.rows:
        for axis, division in enumerate(row.divisions, start=1):
            assert division.size == shape[axis], row.name  # the division is over the row's input
            pad = division.pad_before
            symmetric = division.pad_total == 2 * pad
            if division.same or not symmetric:
                continue
            count = positions(division.size, division.k_eff, division.stride, 1, pad, division.ceil_mode)
            assert row.output[axis] == count, row.name
            assert division.exact == (unused(division.size, division.k_eff, division.stride, 1, pad) == 0)
        shape = row.output
