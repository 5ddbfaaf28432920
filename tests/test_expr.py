"""Tier 1: the spec's expression language (cnncalc.expr.evaluate), then the same
through specs: spec-level args and their overrides, block args and defaults,
`required`, nested blocks and shadowing.

make_divisible is checked against torchvision's _make_divisible, worked by hand:

    new_v = max(min_value or d, int(v + d/2) // d * d)
    if new_v < 0.9 * v: new_v += d
"""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.expr import ExprError, evaluate


def ev(text, **scope):
    return evaluate(text, scope)


# --- arithmetic and precedence -------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("42", 42),
        ("2 + 3 * 4", 2 + (3 * 4)),
        ("(2 + 3) * 4", 20),
        ("2 * 3 + 4 * 5", 6 + 20),
        ("2 - 3 - 4", (2 - 3) - 4),  # left associative
        ("8 / 4 / 2", (8 / 4) / 2),
        ("100 // 7 // 2", (100 // 7) // 2),  # 14 // 2 = 7
        ("7 // 2 * 2", (7 // 2) * 2),  # same level, left to right: 6
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("2 + 3 * 4 - 6 / 2", 2 + 12 - 3.0),
        ("-3 + 5", 2),
        ("-(2 + 3)", -5),
        ("2 - -3", 5),
        ("- - 3", 3),
        ("-2 * 3", -6),
        ("-7 // 2", -4),  # unary minus binds tighter: (-7) // 2, floored as Python
        ("(1 + 2) * (3 + 4)", 21),
        ("((((5))))", 5),
        ("1.5 * 4", 6.0),
        ("  3*4  ", 12),
    ],
)
def test_arithmetic(text, expected):
    value = ev(text)
    assert value == expected
    assert type(value) is type(expected)


def test_true_division_gives_a_float_floor_division_an_int():
    assert ev("64 / 2") == 32.0 and isinstance(ev("64 / 2"), float)
    assert ev("64 // 2") == 32 and isinstance(ev("64 // 2"), int)


def test_variables():
    assert ev("$a * 2 + $b", a=3, b=4) == 10
    assert ev("-$a", a=2) == -2
    assert ev("$width * 32", width=0.75) == 24.0
    assert ev("$filters * $expansion", filters=64, expansion=4) == 256


@pytest.mark.parametrize(
    "text,expected",
    [
        ("floor(3.7)", 3),
        ("floor(-3.2)", -4),
        ("ceil(3.2)", 4),
        ("ceil(-3.7)", -3),
        ("ceil(224 / 32)", 7),
        ("round(3.6)", 4),
        ("round(3.4)", 3),
        ("min(3, 1, 2)", 1),
        ("max(3, 1, 2)", 3),
        ("max(floor(7 / 2), 2) * 8", 3 * 8),
        ("min(64, 2 * 48)", 64),
    ],
)
def test_functions(text, expected):
    assert ev(text) == expected


@pytest.mark.parametrize(
    "value,divisor,expected",
    [
        # MobileNet width 0.75: 32*0.75 = 24.0; int(24 + 4) = 28; 28 // 8 * 8 = 24; 24 >= 0.9*24
        ("32 * 0.75", 8, 24),
        # MobileNetV2 last channel at width 1.4: 1280*1.4 = 1792; int(1796) // 8 * 8 = 1792
        ("1280 * 1.4", 8, 1792),
        # 16*0.5 = 8; int(12) // 8 * 8 = 8
        ("16 * 0.5", 8, 8),
        # 96*0.35 = 33.6; int(37.6) = 37; 37 // 8 * 8 = 32; 32 >= 0.9*33.6 = 30.24 -> 32
        ("96 * 0.35", 8, 32),
        # 32*0.35 = 11.2; int(15.2) = 15; 15 // 8 * 8 = 8; 8 < 0.9*11.2 = 10.08 -> 8 + 8 = 16
        ("32 * 0.35", 8, 16),
        # 27: int(31) // 8 * 8 = 24 < 0.9*27 = 24.3 -> 32
        ("27", 8, 32),
        # 3: int(7) // 8 * 8 = 0; max(8, 0) = 8 (min_value defaults to the divisor)
        ("3", 8, 8),
        # 320*0.35 = 112.0 (already a multiple of 8)
        ("320 * 0.35", 8, 112),
        # divisor 4: 30 -> int(32) // 4 * 4 = 32
        ("30", 4, 32),
    ],
)
def test_make_divisible_matches_torchvision(value, divisor, expected):
    result = ev(f"make_divisible({value}, {divisor})")
    assert result == expected
    assert isinstance(result, int)


def test_make_divisible_min_value():
    # _make_divisible(3, 8, 1): max(1, 0) = 1; 1 < 0.9*3 = 2.7 -> 1 + 8 = 9
    assert ev("make_divisible(3, 8, 1)") == 9
    # _make_divisible(40, 8, 48): max(48, 40) = 48
    assert ev("make_divisible(40, 8, 48)") == 48


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,scope,words",
    [
        ("$nope * 2", {"filters": 8}, ["$nope"]),
        ("foo(1)", {}, ["foo"]),
        ("1 / 0", {}, ["division by zero"]),
        ("1 // 0", {}, ["division by zero"]),
        ("8 / ($a - 2)", {"a": 2}, ["division by zero"]),
        ("__import__('os')", {}, []),
        ("__import__", {}, []),
        ("2**3", {}, ["2**3"]),
        ("2 ^ 3", {}, ["^"]),
        ("2 +", {}, ["the end"]),
        ("(2 + 3", {}, ["')'"]),
        ("2 3", {}, ["3"]),
        ("", {}, []),
        ("min(1)", {}, ["min"]),
        ("floor(1, 2)", {}, ["floor"]),
        ("make_divisible(10, 0)", {}, ["divisor"]),
        ("$flag + 1", {"flag": True}, ["$flag"]),
        ("$act * 2", {"act": "relu"}, ["$act"]),
        ("x + 1", {"x": 1}, ["x"]),  # names are written $x
        ("open", {}, ["open"]),
        ("1; 2", {}, [";"]),
        ("[1, 2]", {}, ["["]),
    ],
)
def test_errors(text, scope, words):
    with pytest.raises(ExprError) as info:
        evaluate(text, scope)
    for word in words:
        assert word in info.value.message


def test_unknown_name_suggests_a_close_one():
    with pytest.raises(ExprError) as info:
        evaluate("$widht * 32", {"width": 1.0})
    assert "width" in info.value.hint


def test_no_python_evaluation():
    # attribute access, calls into Python and string literals are not in the language
    for text in ("().__class__", "print(1)", "eval('1')", "'a' * 3", "lambda: 1"):
        with pytest.raises(ExprError):
            evaluate(text, {})


# --- through specs -----------------------------------------------------------------


def filters(spec, **kwargs):
    """The channel count of every row."""
    return [row.output[0] for row in cnncalc.analyze(spec, **kwargs).rows]


def spec_error(spec, **kwargs):
    with pytest.raises(cnncalc.SpecError) as info:
        cnncalc.analyze(spec, **kwargs)
    return info.value


WIDTH_SPEC = {
    "input": [3, 32, 32],
    "args": {"width": 1.0},
    "layers": [{"conv": {"filters": "make_divisible(32 * $width, 8)", "kernel": 3, "stride": 2, "padding": 1}}],
}


@pytest.mark.parametrize(
    "width,expected",
    [
        (None, 32),  # the default 1.0
        (0.75, 24),  # see test_make_divisible_matches_torchvision
        (0.5, 16),  # 16.0: int(20) // 8 * 8 = 16
        (0.35, 16),  # 11.2 -> 8, below 90% -> 16
        (1.4, 48),  # 44.8: int(48.8) = 48 -> 48
    ],
)
def test_spec_args_and_override(width, expected):
    args = None if width is None else {"width": width}
    assert filters(WIDTH_SPEC, args=args) == [expected]


def test_override_of_an_unknown_arg_is_an_error():
    error = spec_error(WIDTH_SPEC, args={"widht": 0.5})
    assert "widht" in error.message
    assert "width" in error.hint


def test_override_reaches_args_derived_from_it():
    # args: {width: 1.0, stem: make_divisible(32 * $width, 8)}; --set width=0.5
    # -> stem = make_divisible(16.0, 8) = 16, not the 32 of width 1.0
    spec = {
        "input": [3, 32, 32],
        "args": {"width": 1.0, "stem": "make_divisible(32 * $width, 8)"},
        "layers": [{"conv": {"filters": "$stem", "kernel": 3}}],
    }
    assert filters(spec) == [32]
    assert filters(spec, args={"width": 0.5}) == [16]


def test_spec_args_may_use_earlier_args():
    spec = {
        "input": [3, 8, 8],
        "args": {"base": 16, "wide": "$base * 4"},
        "layers": [{"conv": {"filters": "$wide", "kernel": 1}}],
    }
    assert filters(spec) == [16 * 4]


def test_whole_float_results_are_sizes():
    spec = {"input": [3, 8, 8], "args": {"c": 64}, "layers": [{"conv": {"filters": "$c / 2", "kernel": "6 / 2"}}]}
    report = cnncalc.analyze(spec)
    assert report.rows[0].output == (64 / 2, 8 - 3 + 1, 8 - 3 + 1)
    assert type(report.to_dict()["layers"][0]["output"][0]) is int


def test_non_integer_size_is_an_error():
    spec = {"input": [3, 8, 8], "args": {"w": 0.25}, "layers": [{"conv": {"filters": "$w * 10", "kernel": 1}}]}
    error = spec_error(spec)
    assert "filters" in error.message
    assert "2.5" in error.message  # 0.25 * 10


def test_non_integer_size_error_names_the_expression():
    spec = {"input": [3, 8, 8], "args": {"w": 0.25}, "layers": [{"conv": {"filters": "$w * 10", "kernel": 1}}]}
    assert "$w * 10" in spec_error(spec).message


def test_expression_error_in_a_spec_is_located():
    text = 'input: [3, 8, 8]\nlayers:\n  - conv: {filters: "$nope * 2", kernel: 1}\n'
    error = spec_error(text)
    assert "$nope" in error.message
    line = text.splitlines()[2]
    assert (error.loc.line, error.loc.col) == (3, line.index('"$nope') + 1)


def test_division_by_zero_in_a_spec():
    spec = {"input": [3, 8, 8], "args": {"d": 0}, "layers": [{"conv": {"filters": "16 // $d", "kernel": 1}}]}
    assert "division by zero" in spec_error(spec).message


# --- blocks ------------------------------------------------------------------------

BLOCKS = {
    "unit": {
        "args": {"filters": "required", "stride": 1, "expansion": 4},
        "layers": [
            {"conv": {"filters": "$filters", "kernel": 1}},
            {"conv": {"filters": "$filters", "kernel": 3, "stride": "$stride", "padding": 1}},
            {"conv": {"filters": "$filters * $expansion", "kernel": 1}},
        ],
    }
}


def test_block_args_and_defaults():
    spec = {
        "input": [8, 16, 16],
        "blocks": BLOCKS,
        "layers": [{"unit": {"filters": 4}}, {"unit": {"filters": 8, "stride": 2, "expansion": 2}}],
    }
    report = cnncalc.analyze(spec)
    assert [r.output for r in report.rows] == [
        (4, 16, 16),
        (4, 16, 16),
        (4 * 4, 16, 16),  # expansion defaults to 4
        (8, 16, 16),
        (8, (16 + 2 - 3) // 2 + 1, 8),  # stride 2
        (8 * 2, 8, 8),
    ]


def test_block_required_arg_missing():
    spec = {"input": [8, 16, 16], "blocks": BLOCKS, "layers": [{"unit": {"stride": 2}}]}
    error = spec_error(spec)
    assert "'filters'" in error.message and "unit" in error.message


def test_block_unknown_arg():
    spec = {"input": [8, 16, 16], "blocks": BLOCKS, "layers": [{"unit": {"filters": 4, "strides": 2}}]}
    error = spec_error(spec)
    assert "strides" in error.message
    assert "stride" in error.hint


def test_block_arg_values_are_evaluated_in_the_caller():
    spec = {
        "input": [8, 16, 16],
        "args": {"width": 0.5},
        "blocks": BLOCKS,
        "layers": [{"unit": {"filters": "make_divisible(64 * $width, 8)", "expansion": 1}}],
    }
    assert filters(spec) == [32, 32, 32 * 1]


def test_block_defaults_may_use_spec_args():
    spec = {
        "input": [8, 16, 16],
        "args": {"width": 2},
        "blocks": {"b": {"args": {"f": "$width * 8"}, "layers": [{"conv": {"filters": "$f", "kernel": 1}}]}},
        "layers": ["b", {"b": {"f": 3}}],
    }
    assert filters(spec) == [2 * 8, 3]
    assert filters(spec, args={"width": 3}) == [3 * 8, 3]


def test_block_list_arg_passes_through():
    spec = {
        "input": [8, 17, 17],
        "blocks": {
            "factor": {
                "args": {"k": "required", "p": "required"},
                "layers": [{"conv": {"filters": 8, "kernel": "$k", "padding": "$p"}}],
            }
        },
        "layers": [{"factor": {"k": [1, 7], "p": [0, 3]}}],
    }
    row = cnncalc.analyze(spec).rows[0]
    assert row.output == (8, 17, 17)
    assert row.params == 8 * (8 * 1 * 7) + 8


def test_spec_args_are_visible_in_blocks_and_a_block_arg_shadows_them():
    spec = {
        "input": [3, 8, 8],
        "args": {"filters": 10, "k": 3},
        "blocks": {
            "own": {
                "args": {"filters": 20},
                "layers": [{"conv": {"filters": "$filters", "kernel": "$k", "padding": 1}}],
            },
            "global": {"layers": [{"conv": {"filters": "$filters", "kernel": "$k", "padding": 1}}]},
        },
        "layers": [
            {"conv": {"filters": "$filters", "kernel": 1}},  # the spec's 10
            "own",  # its default 20 wins inside the block
            {"own": {"filters": 30}},
            {"own": {"filters": "$filters + 1"}},  # evaluated outside: 10 + 1
            "global",  # no own arg: the spec's 10
        ],
    }
    assert filters(spec) == [10, 20, 30, 11, 10]
    assert filters(spec, args={"filters": 5}) == [5, 20, 30, 6, 5]


def test_nested_blocks():
    spec = {
        "input": [4, 8, 8],
        "args": {"k": 3},
        "blocks": {
            "inner": {"args": {"f": "required"}, "layers": [{"conv": {"filters": "$f", "kernel": "$k", "padding": 1}}]},
            "outer": {
                "args": {"f": "required"},
                "layers": [{"inner": {"f": "$f"}}, {"inner": {"f": "$f * 2"}}],
            },
        },
        "layers": [{"outer": {"f": 6}}],
    }
    report = cnncalc.analyze(spec)
    assert [r.output[0] for r in report.rows] == [6, 12]
    assert [r.params for r in report.rows] == [6 * (4 * 9) + 6, 12 * (6 * 9) + 12]
    assert [r.depth for r in report.rows] == [2, 2]


def test_inner_block_does_not_see_the_callers_args():
    # scoping is lexical: inside 'inner', $g (an arg of 'outer') is unknown
    spec = {
        "input": [4, 8, 8],
        "blocks": {
            "inner": {"layers": [{"conv": {"filters": "$g", "kernel": 1}}]},
            "outer": {"args": {"g": 4}, "layers": ["inner"]},
        },
        "layers": ["outer"],
    }
    assert "$g" in spec_error(spec).message


def test_recursive_blocks_are_an_error():
    spec = {
        "input": [4, 8, 8],
        "blocks": {"a": {"layers": ["relu", "b"]}, "b": {"layers": ["a"]}},
        "layers": ["a"],
    }
    error = spec_error(spec)
    assert "itself" in error.message
    assert "a → b → a" in error.message
