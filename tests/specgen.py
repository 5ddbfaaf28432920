"""Hypothesis strategies for specs, shared by test_properties.py and test_fuzz.py.

- ``valid_chains()``: specs that are valid by construction (every layer fits
  the shape before it), as a dict, for the properties;
- ``chaos_specs()``: well-formed YAML with arbitrary structure and values
  (mostly invalid), as a dict;
- ``mutated_texts()``: the zoo's spec files with a few random edits;
- ``yamlish_texts()``: short texts from YAML's punctuation and the spec's words;
- ``command_path_texts()``: valid specs built to take the slow paths of the commands
  (inexact strided layers for ``check``'s padding and input fixes, residue classes
  for ``sizes``, repeats), mostly inexact.

Edits and values include what the second hostile round found (issue 15): YAML tags,
numbers in every YAML 1.1 notation, huge numbers and expressions.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from cnncalc.registry import REGISTRY

ROOT = Path(__file__).resolve().parent.parent

# --- valid chains ----------------------------------------------------------------

ACTIVATIONS = ("relu", "relu6", "leaky_relu", "elu", "gelu", "silu", "hardswish", "sigmoid", "tanh", "softmax")
MAX_SPATIAL = 96  # keeps brute-force oracles and whole runs fast


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


@st.composite
def _window_args(draw: Any, spatial: tuple[int, ...], *, pool: bool = False) -> dict[str, Any]:
    """kernel, stride, padding (and dilation for convs) that fit ``spatial``."""
    rank = len(spatial)
    per_axis = draw(st.booleans())
    args: dict[str, Any] = {}
    if draw(st.integers(0, 4)) == 0:
        padding: Any = "same"
        kernel = [draw(st.integers(1, 7)) for _ in range(rank)]
        dilation = [1] * rank if pool else [draw(st.integers(1, 3)) for _ in range(rank)]
    else:
        kernel, dilation, pads = [], [], []
        for n in spatial:
            d = 1 if pool else draw(st.integers(1, 3))
            k = draw(st.integers(1, 7))
            p = draw(st.integers(0, k // 2)) if pool else draw(st.integers(0, 3))
            while d * (k - 1) + 1 > n + 2 * p:  # shrink until the window fits
                if d > 1:
                    d -= 1
                else:
                    k -= 1
            kernel.append(k)
            dilation.append(d)
            pads.append(min(p, k // 2) if pool else p)
        padding = pads if per_axis and rank > 1 else (pads[0] if len(set(pads)) == 1 else pads)
    stride = [draw(st.integers(1, 3)) for _ in range(rank)]
    args["kernel"] = kernel if per_axis and rank > 1 else (kernel[0] if len(set(kernel)) == 1 else kernel)
    args["stride"] = stride if per_axis and rank > 1 else (stride[0] if len(set(stride)) == 1 else stride)
    args["padding"] = padding
    if not pool and any(d != 1 for d in dilation):
        args["dilation"] = dilation if len(set(dilation)) > 1 else dilation[0]
    if pool and draw(st.booleans()):
        args["ceil_mode"] = True
    if draw(st.booleans()):
        args["allow_inexact"] = True
    return args


def _size_after(n: int, kernel: int, stride: int, dilation: int, padding: Any, ceil_mode: bool = False) -> int:
    k_eff = dilation * (kernel - 1) + 1
    if padding == "same":
        return -(-n // stride)
    out = (n + 2 * padding - k_eff) // stride + 1
    if ceil_mode:
        out = -(-(n + 2 * padding - k_eff) // stride) + 1
        if (out - 1) * stride >= n + padding:
            out -= 1
    return out


def _axis(value: Any, i: int) -> Any:
    return value[i] if isinstance(value, list) else value


def _after_window(spatial: tuple[int, ...], args: dict[str, Any]) -> tuple[int, ...]:
    return tuple(
        _size_after(
            n,
            _axis(args["kernel"], i),
            _axis(args["stride"], i),
            _axis(args.get("dilation", 1), i),
            _axis(args["padding"], i),
            args.get("ceil_mode", False),
        )
        for i, n in enumerate(spatial)
    )


@st.composite
def _layer(draw: Any, shape: tuple[int, ...], allow_merge: bool) -> tuple[Any, tuple[int, ...]]:
    """One layer that fits ``shape`` and the shape after it."""
    channels, spatial = shape[0], shape[1:]
    kinds = ["activation", "batchnorm", "dropout", "dense"]
    if spatial:
        kinds += ["conv", "conv", "depthwise_conv", "separable_conv", "conv_transpose", "pool", "pool"]
        kinds += ["global", "adaptive", "zero_pad", "upsample", "flatten", "layernorm", "lrn", "channel_maxpool"]
        if allow_merge:
            kinds += ["add", "concat"]
    kind = draw(st.sampled_from(kinds))
    if kind == "activation":
        return draw(st.sampled_from(ACTIVATIONS)), shape
    if kind in ("batchnorm", "layernorm", "lrn"):
        return kind, shape
    if kind == "dropout":
        return {"dropout": {"rate": draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))}}, shape
    if kind == "dense":
        units = draw(st.integers(1, 64))
        return {draw(st.sampled_from(["dense", "linear", "fc"])): {"units": units, "bias": draw(st.booleans())}}, (
            units,
            *spatial,
        )
    if kind == "flatten":
        size = channels
        for n in spatial:
            size *= n
        return "flatten", (size,)
    if kind == "global":
        return draw(st.sampled_from(["global_avgpool", "global_maxpool"])), (channels,)
    if kind == "channel_maxpool":
        k = draw(st.sampled_from(_divisors(channels)))
        return {"channel_maxpool": {"kernel": k}}, (channels // k, *spatial)
    if kind == "adaptive":
        out = [draw(st.integers(1, 2 * n)) for n in spatial]
        return {draw(st.sampled_from(["adaptive_avgpool", "adaptive_maxpool"])): {"output": out}}, (channels, *out)
    if kind == "zero_pad":
        pad = draw(st.integers(0, 3))
        return {"zero_pad": {"padding": pad}}, (channels, *(n + 2 * pad for n in spatial))
    if kind == "upsample":
        scale = draw(st.integers(1, 3))
        if any(n * scale > MAX_SPATIAL for n in spatial):
            scale = 1
        return {"upsample": {"scale": scale}}, (channels, *(n * scale for n in spatial))
    if kind in ("conv", "depthwise_conv", "separable_conv"):
        args = draw(_window_args(spatial))
        out = _after_window(spatial, args)
        if kind == "conv":
            groups = draw(st.sampled_from(_divisors(channels)))
            filters = groups * draw(st.integers(1, max(1, 64 // groups)))
            args.update(filters=filters, groups=groups, bias=draw(st.booleans()))
            return {"conv": args}, (filters, *out)
        multiplier = draw(st.integers(1, 3))
        args["multiplier"] = multiplier
        if kind == "depthwise_conv":
            return {"depthwise_conv": args}, (channels * multiplier, *out)
        filters = draw(st.integers(1, 64))
        args["filters"] = filters
        return {"separable_conv": args}, (filters, *out)
    if kind == "conv_transpose":
        stride = draw(st.integers(1, 3))
        kernel = draw(st.integers(1, 5))
        dilation = draw(st.integers(1, 2))
        k_eff = dilation * (kernel - 1) + 1
        out_pad = draw(st.integers(0, max(stride, dilation) - 1))
        largest = min(n for n in spatial)
        padding = draw(st.integers(0, max(0, ((largest - 1) * stride + k_eff + out_pad - 1) // 2)))
        out = tuple((n - 1) * stride - 2 * padding + k_eff + out_pad for n in spatial)
        if any(o > MAX_SPATIAL for o in out):
            return "relu", shape
        filters = draw(st.integers(1, 32))
        args = {"filters": filters, "kernel": kernel, "stride": stride, "padding": padding}
        args.update(output_padding=out_pad, dilation=dilation)
        return {"conv_transpose": args}, (filters, *out)
    if kind == "pool":
        args = draw(_window_args(spatial, pool=True))
        default_stride = draw(st.booleans())  # leave it out: the kernel
        if default_stride:
            args["stride"] = args["kernel"]
        out = _after_window(spatial, args)
        if default_stride:
            del args["stride"]
        return {draw(st.sampled_from(["maxpool", "avgpool"])): args}, (channels, *out)
    # merges: branches built from shape-preserving or channel-changing 1x1 layers
    n_branches = draw(st.integers(2, 3))
    branches: list[list[Any]] = []
    if kind == "add":
        for _ in range(n_branches):
            choice = draw(st.integers(0, 2))
            if choice == 0:
                branches.append([])
            elif choice == 1:
                branches.append([{"conv": {"filters": channels, "kernel": 3, "padding": 1}}, "relu"])
            else:
                branches.append(["batchnorm", {"maxpool": {"kernel": 3, "stride": 1, "padding": 1}}])
        return {"add": branches}, shape
    total = 0
    for _ in range(n_branches):
        if draw(st.booleans()):
            branches.append([])
            total += channels
        else:
            filters = draw(st.integers(1, 16))
            branches.append([{"conv": {"filters": filters, "kernel": 1}}])
            total += filters
    return {"concat": branches}, (total, *spatial)


@st.composite
def valid_chains(draw: Any, max_layers: int = 12, allow_merge: bool = True) -> dict[str, Any]:
    """A spec valid by construction: ``{"input": [...], "layers": [...]}``."""
    rank = draw(st.sampled_from([0, 1, 2, 2, 2, 3]))
    channels = draw(st.integers(1, 16))
    spatial = tuple(draw(st.integers(1, 40 if rank < 3 else 12)) for _ in range(rank))
    shape: tuple[int, ...] = (channels, *spatial)
    spec: dict[str, Any] = {"input": list(shape), "layers": []}
    for _ in range(draw(st.integers(1, max_layers))):
        layer, shape = draw(_layer(shape, allow_merge))
        spec["layers"].append(layer)
    if draw(st.booleans()):
        spec["dtype"] = draw(st.sampled_from(["float32", "float16", "bfloat16", "int8", "float64"]))
    return spec


# --- chaos: any structure, interesting values -------------------------------------------

INTERESTING = [
    0, 1, 2, 3, 4, 7, -1, -3, 2**31 - 1, 2**31, 10**20, 10**400, 0.5, 3.0, 1e308, float("inf"), float("nan"),
    True, False, None, "", "x", "same", "valid", "required", "$w", "$w * 2", "$w / 0", "$nope", "1/3",
    "floor($w / 3)", "make_divisible($w * 8, 8)", "max($w, 2) // 1", "__import__('os')", "$w ** 2", "((((1))))",
    [], [1], [2, 2], [3, 3, 3], [1, 2, 3, 4], [0, 0], ["same"], [[3]], {"a": 1}, {},
]  # fmt: skip


@cache
def _words() -> tuple[list[str], list[str]]:
    types = sorted(REGISTRY.names()) + ["add", "concat", "repeat", "head", "blk", "convv", "Conv", "pool", ""]
    args = sorted({spec.name for t in REGISTRY.types.values() for spec in t.schema})
    args += ["name", "branches", "times", "layers", "filter", "kernal", "strides", "units ", "$w"]
    return types, args


# Sizes at and past the limit, strides whose receptive-field fractions grow, floats past a size.
HUGE = [2**31 - 1, 2**31, 2**63, 10**20, 10**400, 1000003, 1000033, 4096, 1e300, float("inf"), -(2**31)]

_values = st.one_of(
    st.sampled_from(INTERESTING), st.sampled_from(HUGE), st.integers(-3, 300), st.integers(), st.text(max_size=6)
)


def _chaos_layer(children: Any) -> Any:
    types, args = _words()
    arguments = st.dictionaries(st.sampled_from(args), _values, max_size=5)
    layer_list = st.lists(children, max_size=4)
    return st.one_of(
        st.sampled_from(types),
        st.builds(lambda t, a: {t: a}, st.sampled_from(types), arguments),
        st.builds(lambda t, bs: {t: bs}, st.sampled_from(["add", "concat"]), st.lists(layer_list, max_size=3)),
        st.builds(
            lambda times, body: {"repeat": {"times": times, "layers": body}},
            st.one_of(st.integers(-2, 5), st.sampled_from(INTERESTING)),
            layer_list,
        ),
        st.builds(
            lambda name, body: {"head": {"name": name, "layers": body}}, st.sampled_from(["aux", "main", 3]), layer_list
        ),
        st.builds(lambda t, a, b: {t: a, "extra": b}, st.sampled_from(types), arguments, _values),
        _values,
    )


@st.composite
def chaos_specs(draw: Any) -> dict[str, Any]:
    """Well-formed YAML with arbitrary structure: top-level keys, args, blocks,
    layers, branches, repeats, heads and values, mostly invalid."""
    leaf = st.one_of(st.sampled_from(_words()[0]), st.builds(lambda t: {t: {}}, st.sampled_from(_words()[0])))
    layers = st.lists(st.recursive(leaf, _chaos_layer, max_leaves=12), max_size=8)
    spec: dict[str, Any] = {}
    if draw(st.integers(0, 9)):
        spec["input"] = draw(
            st.one_of(st.lists(st.integers(1, 40), min_size=1, max_size=4), st.sampled_from(INTERESTING))
        )
    if draw(st.booleans()):
        spec["args"] = draw(st.dictionaries(st.sampled_from(["w", "n", "1x", "w2"]), _values, max_size=3))
    if draw(st.booleans()):
        spec["blocks"] = {
            "blk": {
                "args": draw(st.dictionaries(st.sampled_from(["w", "k", "f"]), _values, max_size=3)),
                "layers": draw(layers),
            }
        }
    if draw(st.integers(0, 9)):
        spec["layers"] = draw(layers)
    if draw(st.integers(0, 5)) == 0:
        spec[draw(st.sampled_from(["dtype", "name", "layer", "description", "inputs"]))] = draw(_values)
    return spec


# --- texts ---------------------------------------------------------------------------


@cache
def seed_texts() -> list[str]:
    """The zoo and worked-example specs, whose edits the fuzzer tries."""
    paths = sorted((ROOT / "specs").rglob("*.yaml"))
    return [p.read_text(encoding="utf-8") for p in paths if p.stat().st_size < 20_000]


EDITS = [
    "0", "-1", "1", "2.5", "3.0", "1e9", "2147483647", "2147483648", "99999999999999999999", "true", "null",
    "~", "[]", "{}", "[1, 2, 3, 4]", "same", "valid", "required", '"$x"', '"1/0"', '"$width * 0.5"',
    '"floor(1e400)"', "*a", "&a", "&a [relu]", "!!python/object:os.system", "!!binary", "!foo", "<<: *a",
    "'", '"', "[", "]", "{", "}", "-", "- ", ": ", ":", ",", "#", "\t", "\x00", "\x07", "é", "\ufeff",
    "---", "...", "|", ">", "?", "%YAML 1.2", "conv", "repeat", "add", "concat", "head", "times", "layers",
    "filters", "kernel", "stride", "padding", "dilation", "groups", "name", "input", "blocks", "args", "\n",
    "\n  ", "\n- ", "    ",
]  # fmt: skip

# YAML tags and numbers in every YAML 1.1 notation (hex, octal, binary, base 60, underscores,
# special floats), some past the 1,000-character literal limit, and expressions with huge arguments.
NOTATIONS = [
    "!!int", "!!float", "!!str", "!!bool", "!!null", "!!seq", "!!map", "!!timestamp", "!!int ''", "!!float ''",
    "!!int abc", "!!float x", "!!str 3", "!!int 0x10", "!!int 1:30", "!!float 1e999", "!!bool 3", "!!null 3",
    "0x1f", "0X1F", "0o17", "017", "09", "0b101", "-0b1", "1_000", "1__0", "_1", "0x_1", "1:30", "1:2:3:4",
    "-1:30", "1:60", "190:20:30.15", ".inf", "-.inf", ".nan", ".NaN", "1e308", "1e-400", "1.5e3", "6.8523015e+5",
    "0x" + "f" * 1200, "0x" + "f" * 990, ":".join(["59"] * 400), ":".join(["59"] * 300), "9" * 1100, "9" * 4400,
    "1_" + "0" * 1100, "0" + "7" * 1100, '"round(8, -1000000000000000000)"', '"round(8, -10000000)"',
    '"round(8, 10000000000)"', '"make_divisible(8, 8, 1e300)"', '"2147483647 * 2147483647"', '"1e300 * 1e300"',
    '"9' + "9" * 990 + '"', "2001-12-14", "=", "<<",
]  # fmt: skip
EDITS += NOTATIONS

_NUMBER = re.compile(r"(?<![\w.$])\d+(?:\.\d+)?(?![\w.])")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@st.composite
def mutated_texts(draw: Any) -> str:
    """A seed spec with one to four random edits."""
    text = draw(st.sampled_from(seed_texts()))
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(["number", "number", "word", "delete", "insert", "line", "truncate", "indent"]))
        if edit in ("number", "word"):
            spots = list((_NUMBER if edit == "number" else _WORD).finditer(text))
            if spots:
                spot = spots[draw(st.integers(0, len(spots) - 1))]
                text = text[: spot.start()] + draw(st.sampled_from(EDITS)) + text[spot.end() :]
        elif edit == "delete" and text:
            start = draw(st.integers(0, len(text) - 1))
            text = text[:start] + text[start + draw(st.integers(1, 30)) :]
        elif edit == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(EDITS)) + text[at:]
        elif edit == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            if edit == "line":
                j = draw(st.integers(0, len(lines) - 1))
                lines.insert(j, lines[i]) if draw(st.booleans()) else lines.__setitem__(slice(i, i + 1), [])
            else:
                lines[i] = lines[i][2:] if draw(st.booleans()) else "  " + lines[i]
            text = "\n".join(lines)
    return text


def yamlish_texts() -> Any:
    """Short texts made of YAML punctuation and the spec's own words."""
    pieces = st.sampled_from(EDITS + ["input: [3, 32, 32]\n", "layers:\n", "  - relu\n", "  - conv: {filters: 8, "])
    return st.lists(pieces, max_size=30).map("".join)


_STRIDES = [1, 2, 3, 4, 7, 4096, 1000003]


@st.composite
def _strided(draw: Any) -> str:
    kernel, stride = draw(st.integers(1, 7)), draw(st.sampled_from(_STRIDES))
    kind = draw(st.sampled_from(["conv", "conv", "maxpool", "avgpool", "conv_transpose", "upsample"]))
    if kind == "upsample":
        return f"upsample: {{scale: {draw(st.sampled_from([2, 3, 5, 1000]))}}}"
    if kind == "conv_transpose":
        return f"conv_transpose: {{filters: 3, kernel: {kernel}, stride: {stride}}}"
    if kind == "conv":
        padding = draw(st.sampled_from([0, 1, 3, "same"]))
        return f"conv: {{filters: 3, kernel: {kernel}, stride: {stride}, padding: {padding}}}"
    return f"{kind}: {{kernel: {kernel}, stride: {stride}, ceil_mode: {str(draw(st.booleans())).lower()}}}"


@st.composite
def command_path_texts(draw: Any) -> str:
    """Strided layers that are mostly inexact, in repeats, at large or odd input sizes:
    what check's fix searches and the sizes solver work hardest on."""
    layer = st.one_of(_strided(), st.just("relu"))
    repeat = st.builds(
        lambda times, body: f"repeat: {{times: {times}, layers: [{', '.join(body)}]}}",
        st.sampled_from([0, 1, 2, 3, 50, 300]),
        st.lists(layer, min_size=1, max_size=3),
    )
    layers = draw(st.lists(st.one_of(layer, repeat), min_size=1, max_size=6))
    height, width = (draw(st.sampled_from([1, 7, 32, 33, 224, 4097, 1000003, 2147483647])) for _ in "hw")
    return f"input: [3, {height}, {width}]\nlayers:\n" + "".join(f"  - {item}\n" for item in layers)
