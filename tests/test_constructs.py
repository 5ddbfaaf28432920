"""Each construct (a primitive, a merge, repeat, head, a block use) declares how it
lowers and how it counts toward the layer limit; the two must agree."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.registry import REGISTRY
from cnncalc.spec.constructs import CONSTRUCTS, construct_for
from cnncalc.spec.counting import Counter
from cnncalc.spec.yamltree import parse

SPEC = """\
input: [8, 16, 16]
blocks:
  res:
    args: {f: required}
    layers:
      - add: [[conv: {filters: $f, kernel: 3, padding: 1}, relu], []]
layers:
  - conv: {filters: 8, kernel: 1}
  - repeat: {times: 3, layers: [res: {f: 8}, batchnorm]}
  - head: {name: aux, layers: [global_avgpool, dense: {units: 4}]}
  - concat: {axis: 0, branches: [[relu], [maxpool: {kernel: 3, stride: 1, padding: 1}], []]}
  - multiply: [[adaptive_avgpool: {output: 1}], []]
"""


def test_counting_before_building_agrees_with_building():
    # 1 conv; 3 × (res: conv, relu, add = 3; batchnorm) = 12; head 2; concat 1 + relu + maxpool = 3;
    # multiply 1 + pool = 2: 20 layers, counted before anything is built and built.
    document = parse(SPEC, "<spec>")
    counter = Counter(dict(document["blocks"]), 100_000)
    assert counter.count(document["layers"], {}, 0) == 20
    assert len(cnncalc.load_graph(SPEC).nodes) == 20


def test_every_name_is_one_construct():
    for name in REGISTRY.names():
        assert construct_for(name, {}) is not None, name
        assert name not in CONSTRUCTS
    assert construct_for("res", {"res": {}}) is not None
    assert construct_for("no_such_type", {}) is None


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_a_block_may_not_take_a_construct_name(name):
    text = f"input: [3, 8, 8]\nblocks:\n  {name}: {{layers: [relu]}}\nlayers: [relu]\n"
    with pytest.raises(cnncalc.SpecError, match="is a built-in layer type"):
        cnncalc.load_graph(text)
