"""Properties over random DAGs (issue 10, item 6; hypothesis): specs written with
`from` references, long skips and merges (add, multiply with broadcasting,
concat), drawn by dagspecs.twin_dags.

- every registered metric: the rows' figures plus the input's share equal the total;
- the JSON output parses back to the report's own data;
- a reference-written spec and its nested-branch twin give identical figures, row by row;
- broadcasting is symmetric: add or multiply of [C, 1, 1] (or [C, 1, W]) and
  [C, H, W], in either order, give the same shape and the same figures.
"""

from __future__ import annotations

import json

from dagspecs import twin_dags
from hypothesis import HealthCheck, given, settings, strategies as st

import cnncalc
from cnncalc.metrics import METRICS
from cnncalc.render.text import render_json

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _figures(report: cnncalc.Report) -> list[tuple[object, ...]]:
    return [
        (row.name, row.type, row.output, row.inputs, row.trainable, row.non_trainable, row.macs)
        + (row.activations, row.saved_bytes, row.exact, row.rf)
        for row in report.rows
    ]


@SETTINGS
@given(twin_dags(), st.integers(1, 3))
def test_every_metric_sums_from_its_rows(twins, batch):
    report = cnncalc.analyze(twins[0], batch=batch)
    size, elements = report.dtype_bytes, report.input_activations
    for metric in METRICS:
        if not metric.additive:  # a peak: no row has a share of it
            continue
        summed = sum(metric.row(row, size) for row in report.rows) + metric.input(elements, size)
        assert summed == report.totals[metric.key], metric.key


@SETTINGS
@given(twin_dags(), st.integers(1, 3))
def test_json_round_trips(twins, batch):
    report = cnncalc.analyze(twins[0], batch=batch)
    document = json.loads(render_json(report))
    assert document == report.to_dict()
    names = {"input"} | {layer["name"] for layer in document["layers"]}
    assert all(set(layer["inputs"]) <= names for layer in document["layers"])  # every read tensor is named


@SETTINGS
@given(twin_dags())
def test_a_reference_written_spec_equals_its_nested_branch_twin(twins):
    flat, nested = (cnncalc.analyze(spec) for spec in twins)
    assert flat.totals == nested.totals
    assert _figures(flat) == _figures(nested)
    assert flat.outputs == nested.outputs


@SETTINGS
@given(
    st.sampled_from(["add", "multiply"]),
    st.integers(1, 8),
    st.integers(1, 9),
    st.integers(1, 9),
    st.sampled_from([[1, 1], [1, 0], [0, 1]]),  # the gate's pooled size: 1, or the axis kept (0)
)
def test_broadcasting_is_symmetric(merge, channels, height, width, pooled):
    """torch: x * gate == gate * x for gate [C, 1, 1] and x [C, H, W]: both [C, H, W]."""
    output = [p or size for p, size in zip(pooled, (height, width))]
    gate = [{"adaptive_avgpool": {"output": output}}, {"conv": {"filters": channels, "kernel": 1}}, "sigmoid"]
    body = [{"conv": {"filters": channels, "kernel": 3, "padding": 1}}]
    written = []
    for branches in ([gate, body], [body, gate]):
        written.append({"input": [channels, height, width], "layers": [{merge: branches}]})
    flat = []  # and written with 'from', in either order
    for order in (["g", "x"], ["x", "g"]):
        flat.append(
            {
                "input": [channels, height, width],
                "layers": [
                    {"adaptive_avgpool": {"output": output}},
                    {"conv": {"filters": channels, "kernel": 1}},
                    {"sigmoid": {"name": "g"}},
                    {"conv": {"filters": channels, "kernel": 3, "padding": 1, "from": "input", "name": "x"}},
                    {merge: {"from": order}},
                ],
            }
        )
    reports = [cnncalc.analyze(spec) for spec in written + flat]
    assert {report.outputs["main"] for report in reports} == {(channels, height, width)}
    # the same layers run in the same order, the merge's inputs swapped: every total the same
    assert reports[2].totals == reports[3].totals
    # branches swapped run the layers in another order: what is alive at once may differ, no sum does
    additive = [m.key for m in METRICS if m.additive]
    assert all([r.totals[key] for key in additive] == [reports[0].totals[key] for key in additive] for r in reports)
    last = [report.rows[-1] for report in reports]
    assert {(row.output, row.activations, row.macs, row.params) for row in last} == {
        ((channels, height, width), channels * height * width, 0, 0)
    }
