"""Merges are layer types with several inputs, declared once in the registry:
broadcasting `add`/`multiply`, `concat` on any axis (SPEC-FORMAT version 2),
and what follows from the declaration (loader, JSON Schema, `sizes`)."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

import cnncalc
import cnncalc.loader
from cnncalc.check import check_text
from cnncalc.cli import main
from cnncalc.engine import run
from cnncalc.errors import SpecError, SpecErrors
from cnncalc.layers import NoArgs
from cnncalc.registry import ACTIVATION, BROADCAST, IN_PLACE, MERGE, REGISTRY, VIEW, merge
from cnncalc.sizes import solve

jsonschema = pytest.importorskip("jsonschema")


def spec_error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        cnncalc.analyze(text)
    return info.value


def last_row(text: str) -> dict:
    return cnncalc.analyze(text).to_dict()["layers"][-1]


def test_add_broadcasts_a_size_of_one():
    # torch.add([8, 1, 1], [8, 4, 4]) broadcasts to [8, 4, 4] (PyTorch "Broadcasting semantics")
    text = "input: [8, 4, 4]\nlayers:\n  - add: [[adaptive_avgpool: {output: 1}], []]\n"
    assert last_row(text)["output"] == [8, 4, 4]


def test_a_broadcasting_mistake_is_located_and_names_both_shapes():
    text = "input: [8, 4, 4]\nlayers:\n  - multiply: [[global_avgpool], []]\n"
    error = spec_error(text)
    assert (error.loc.line, error.loc.col) == (3, 5)
    assert "branch 0 gives [8] and branch 1 gives [8, 4, 4]" in error.message
    assert "[C, 1, 1]" in error.hint


def test_concat_on_the_token_axis():
    # ViT: torch.cat((class_token [1, 1, 768], x [1, 196, 768]), dim=1) -> [1, 197, 768];
    # channels first that is [768, 1] and [768, 196] stacked on axis 1: [768, 197].
    text = (
        "input: [768, 196]\nlayers:\n  - concat:\n      axis: 1\n      name: tokens\n"
        "      branches: [[adaptive_avgpool: {output: 1}], []]\n"
    )
    row = last_row(text)
    assert (row["name"], row["output"], row["params"]) == ("tokens", [768, 197], 0)


def test_concat_axis_mistakes_point_at_the_axis():
    error = spec_error("input: [8, 4, 4]\nlayers:\n  - concat: {axis: 3, branches: [[], []]}\n")
    assert (error.loc.line, error.loc.col) == (3, 20)  # the 3
    assert "axis 3 is past the last axis" in error.message
    error = spec_error("input: [8, 4, 4]\nlayers:\n  - concat: {axis: 1, branches: [[maxpool: {kernel: 2}], []]}\n")
    assert "identical sizes on every axis but axis 1" in error.message
    assert "[8, 2, 2]" in error.message and "[8, 4, 4]" in error.message
    error = spec_error("input: [8, 4, 4]\nlayers:\n  - add: {axis: 1, branches: [[], []]}\n")
    assert error.message == "add has no key 'axis'"


def test_sizes_broadcast_a_size_of_one():
    # conv 3 / 2 (no padding) is exact for odd n >= 3: (n - 3) / 2 + 1 whole. A
    # squeeze-and-excitation gate after it is [C, 1, 1] at every size, so it never
    # constrains the size (it once had to equal the main path's size).
    text = (
        "input: [8, 33, 33]\nlayers:\n  - conv: {filters: 8, kernel: 3, stride: 2}\n"
        "  - multiply: [[adaptive_avgpool: {output: 1}, conv: {filters: 8, kernel: 1}, sigmoid], []]\n"
    )
    graph = cnncalc.load_graph(text)
    axes = solve(graph, run(graph))
    for axis in axes:
        assert axis.step == 2 and axis.smallest == 3 and axis.fits(5) and not axis.fits(6)


def test_sizes_add_up_on_a_concat_axis():
    # [C, n] stacked on axis 1 with its 2×-pooled copy: n + n/2 = 3m wide for n = 2m
    # (the pool is exact only for even n); then conv 3 / 4 needs (3m - 3) % 4 == 0,
    # m ≡ 1 (mod 4): n ≡ 2 (mod 8), from 2. Checked against the engine at every size.
    text = (
        "input: [4, 18]\nlayers:\n  - concat: {axis: 1, branches: [[maxpool: {kernel: 2}], []]}\n"
        "  - conv: {filters: 4, kernel: 3, stride: 4}\n"
    )
    graph = cnncalc.load_graph(text)
    (axis,) = solve(graph, run(graph))
    brute = [n for n in range(1, 80) if _exact(graph, (4, n))]
    assert [n for n in range(1, 80) if axis.fits(n)] == brute
    assert brute[:3] == [2, 10, 18] and axis.step == 8


def _exact(graph, shape) -> bool:
    try:
        return run(graph, input=shape).totals.inexact_layers == 0
    except SpecError:
        return False


def test_schema_describes_merges_from_their_declaration():
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    validator = jsonschema.Draft202012Validator(schema)
    good = {"input": [8, 4, 4], "layers": [{"multiply": [[], []]}, {"concat": {"axis": 1, "branches": [[], []]}}]}
    assert not list(validator.iter_errors(good))
    bad = {"input": [8, 4, 4], "layers": [{"add": {"axis": 1, "branches": [[], []]}}]}
    assert list(validator.iter_errors(bad))


@pytest.fixture
def maximum():
    """A merge registered by a test, as a user of the registry would: one registration."""

    @merge("test_maximum", NoArgs, hint="match the branches")
    def test_maximum(a: NoArgs, rank: int) -> tuple[str, ...]:
        """Element-wise maximum of the branches."""
        return (BROADCAST,) * rank

    yield
    del REGISTRY.types["test_maximum"]
    REGISTRY._tagged.clear()


def test_one_registration_makes_a_merge_everywhere(maximum):
    text = "input: [8, 4, 4]\nlayers:\n  - test_maximum: {name: m, branches: [[conv: {filters: 8, kernel: 1}], []]}\n"
    assert last_row(text)["output"] == [8, 4, 4]
    assert "test_maximum" in REGISTRY.tagged(MERGE)
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    assert "test_maximum" in json.dumps(schema["$defs"]["layer_strict"])


def test_tags_replace_name_lists():
    assert REGISTRY.tagged(ACTIVATION) >= {
        "relu", "relu6", "leaky_relu", "elu", "gelu", "silu", "hardswish", "sigmoid", "tanh", "softmax",
    }  # fmt: skip
    assert not REGISTRY.tagged(ACTIVATION) & {"conv", "dense", "batchnorm", "dropout", "flatten", "add"}
    assert {"add", "concat", "multiply"} <= REGISTRY.tagged(MERGE)
    assert "flatten" in REGISTRY.tagged(VIEW) and "dropout" in REGISTRY.tagged(IN_PLACE)


def test_every_mistake_is_one_frozen_error():
    text = "input: [3, 8, 8]\nlayers:\n  - cnov: {filters: 3}\n  - relu\n  - tahn\n"
    with pytest.raises(SpecErrors) as info:
        cnncalc.loader.load(text, every_error=True)
    errors = info.value.errors
    assert [e.loc.line for e in errors] == [3, 5]
    assert str(info.value) == str(errors[0])
    with pytest.raises(AttributeError):
        info.value.errors = ()  # type: ignore[misc]
    assert [e.loc.line for e in check_text(text, "spec.yaml").errors] == [3, 5]


def test_an_argument_named_like_a_pattern_is_plain_text():
    # issue 15: the loader built a regular expression from argument names, so this
    # took 18 s (catastrophic backtracking), and a name like 'a(' raised re.error.
    text = 'input: [3, 8, 8]\nargs:\n  x: "$' + "a" * 40 + '!"\n  "(a|aa)+c": 1\nlayers: [relu]\n'
    started = time.perf_counter()
    error = spec_error(text)
    assert time.perf_counter() - started < 10  # a hang guard, not a speed test: the pattern took 18 s
    assert (error.loc.line, error.message[:14]) == (3, "unexpected '!'")
    error = spec_error('input: [3, 8, 8]\nargs:\n  x: "$y + 1"\n  "a(": 1\nlayers: [relu]\n')
    assert error.message.startswith("unknown argument '$y'")
    # and a default that uses a later argument is still named as such
    error = spec_error("input: [3, 8, 8]\nargs:\n  x: '$later + 1'\n  later: 2\nlayers: [relu]\n")
    assert error.message == "the default of 'x' uses 'later', declared after it"
