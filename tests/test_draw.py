"""`cnncalc draw`: SVG pictures checked without a browser. Each picture must
parse as XML, define every id it references, come out byte-identical from run
to run, keep its boxes apart (from the layout's own data) and its edges out of
boxes, name every layer it draws, escape the spec's strings, and print the
report's figures (pinned to torchvision's and the course notes' VGG16 figures)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import main
from cnncalc.render.draw import STYLES, chart_svg, compare_chart_svg, diagram_depth, diagram_layout, diagram_svg
from cnncalc.render.draw.layout import Layout
from cnncalc.render.draw.svg import wrap

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
ZOO = ("vgg16", "resnet50", "googlenet", "unet_2015", "vit_b_16")
SVG = "{http://www.w3.org/2000/svg}"


def _report(name: str) -> cnncalc.Report:
    return cnncalc.analyze(SPECS / f"{name}.yaml")


def _check_xml(text: str) -> ET.Element:
    """Parses, and every id referenced (href="#..", url(#..)) is defined, once."""
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    defined = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(defined) == len(set(defined)), "an id is defined twice"
    referenced = set(re.findall(r"url\(#([^)]+)\)", text)) | set(re.findall(r'href="#([^"]+)"', text))
    assert referenced <= set(defined), f"undefined ids: {referenced - set(defined)}"
    return root


def _texts(element: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in element.iter(f"{SVG}text")]


@pytest.mark.parametrize("name", ZOO)
@pytest.mark.parametrize("style", ["3d", "flat"])
def test_diagram_is_valid_svg_whose_boxes_and_edges_do_not_overlap(name: str, style: str) -> None:
    report = _report(name)
    depth = diagram_depth(report, style)
    drawn, placed = diagram_layout(report, style, depth)
    boxes = placed.boxes
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y
            assert apart, f"{drawn[a.item].name} overlaps {drawn[b.item].name}"
        assert a.x >= 0 and a.x + a.width <= placed.width and a.y >= 0 and a.y + a.height <= placed.height
    _check_edges(placed)
    root = _check_xml(diagram_svg(report, style, depth))
    assert len(root.findall(f"{SVG}path[@class='edge']")) == len(placed.edges)


def _check_edges(placed: Layout) -> None:
    """Every edge misses the boxes, and no two edges run along the same lane over the same columns."""
    boxes = placed.boxes
    runs: dict[int, list[tuple[int, int]]] = {}
    for edge in placed.edges:
        _edge_misses_boxes(edge.path, boxes, {edge.source, edge.target})
        first, last = boxes[edge.source].column + 1, boxes[edge.target].column - 1
        if first <= last:
            runs.setdefault(edge.lane, []).append((first, last))
    for lane, spans in runs.items():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end < start, f"two edges share lane {lane}"
        for box in boxes:
            assert box.lane != lane or not any(a <= box.column <= b for a, b in spans)


def test_many_long_skips_keep_apart() -> None:
    """Skips nested, crossing and sharing ends (a dense chain): each gets a lane of its own."""
    layers: list[dict] = [{"conv": {"filters": 8, "kernel": 3, "padding": 1, "name": f"c{i}"}} for i in range(40)]
    layers += [{"add": {"from": ["c0", "c39"]}}, {"add": {"from": ["c5", -1]}}, {"add": {"from": ["c20", "c3", -1]}}]
    layers += [{"concat": {"from": [f"c{i}", -1]}} for i in range(1, 40, 4)]
    report = cnncalc.analyze({"input": [8, 16, 16], "layers": layers})
    for style in STYLES:
        _, placed = diagram_layout(report, style, None)
        _check_edges(placed)
        assert len({edge.lane for edge in placed.edges}) > 5


def _edge_misses_boxes(path: str, boxes: tuple, ends: set[int]) -> None:
    """Horizontal runs cross no box but their own ends'; bends lie where no box is."""
    tokens = re.findall(r"([MHC])([^MHC]*)", path)
    x, y = (float(v) for v in tokens[0][1].split(","))
    for command, args in tokens[1:]:
        if command == "H":
            x1 = float(args)
            for box in boxes:
                if box.item in ends:
                    continue
                inside_y = box.y < y < box.y + box.height
                assert not (inside_y and min(x, x1) < box.x + box.width and box.x < max(x, x1)), (path, box)
            x = x1
        else:
            *_, end = args.split()
            x1, y1 = (float(v) for v in end.split(","))
            for box in boxes:
                assert box.x + box.width <= min(x, x1) + 0.05 or max(x, x1) <= box.x + 0.05, (path, box)
            x, y = x1, y1


def test_every_drawn_layer_is_named_in_the_picture() -> None:
    """Every item's name is written (wrapped lines joined), and every row it
    stands for is named in its tooltip; a folded block says it repeats."""
    report = _report("resnet50")
    drawn, _ = diagram_layout(report, "3d", 2)
    root = ET.fromstring(diagram_svg(report, "3d", 2))
    groups = root.findall(f"{SVG}g[@class='item']")
    assert len(groups) == len(drawn)
    for item, group in zip(drawn, groups):
        written = "".join(_texts(group)).replace(" ", "")
        assert item.name.replace(" ", "") in written
        tooltip = group.find(f"{SVG}title").text or ""
        for row in item.rows if not item.folded else item.rows[:1]:
            assert row.name in tooltip
    folded = " ".join(_texts(ET.fromstring(diagram_svg(report, "3d", 1))))
    assert "bottleneck ×5 (50 layers)" in folded  # layer3's five identity bottlenecks, one box
    full = ET.fromstring(diagram_svg(report, "flat", None))
    tooltips = " ".join(t.text or "" for t in full.iter(f"{SVG}title"))
    assert all(row.name in tooltips for row in report.rows)


def test_the_same_spec_gives_the_same_bytes(tmp_path: Path) -> None:
    """Two processes with different hash seeds write byte-identical files."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"g{seed}.svg"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "cnncalc", "draw", str(SPECS / "googlenet.yaml"), "-o", str(out)],
            env=env,
            check=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert diagram_svg(_report("unet_2015")) == diagram_svg(_report("unet_2015"))


HOSTILE = """
name: "t<&>\\e"
input: [3, 32, 32]
layers:
  - conv: {name: "a<b&c\\e\\u202e\\"", filters: 8, kernel: 3}
  - relu
  - add: [[conv: {name: "x]]>&amp;", filters: 8, kernel: 1}], []]
"""


def test_user_strings_are_escaped() -> None:
    """Names with markup, a control character and a bidirectional override are written
    as text: the XML parses, reads back the name (controls spelt as escapes), holds no raw control."""
    report = cnncalc.analyze(HOSTILE)
    layer = 'a<b&c\\x1b\\u202e"'
    for picture, names in (
        (diagram_svg(report), (layer, "x]]>&amp;")),
        (diagram_svg(report, "flat"), (layer, "x]]>&amp;")),
        (chart_svg(report, "params"), (layer, "x]]>&amp;")),
        (compare_chart_svg([report, report]), ()),
    ):
        root = _check_xml(picture)
        assert "\x1b" not in picture and "\u202e" not in picture
        texts = [*_texts(root), *("".join(t.itertext()) for t in root.iter(f"{SVG}title"))]
        assert any("t<&>\\x1b" in t for t in texts)
        for name in names:
            assert any(name in t for t in texts), name


def test_vgg16_numbers_are_the_reports() -> None:
    """VGG16: 138,357,544 params (torchvision); fc6 holds 7·7·512·4096 + 4096 = 102,764,544
    (the course notes' 102,760,448 weights plus the bias); conv1_1's output 64×224×224 is
    3,211,264 elements = 12.25 MiB in float32 (the notes' '224*224*64=3.2M')."""
    report = _report("vgg16")
    root = ET.fromstring(chart_svg(report, ["params", "memory"]))
    texts = _texts(root)
    tips = {"".join(t.itertext()) for t in root.iter(f"{SVG}title")}
    assert "params (total 138,357,544)" in texts
    assert "fc6: 102,764,544" in tips
    assert "conv1_1: 12.25 MiB" in tips
    assert "102.76 M 74.3%" in texts  # 102,764,544 / 138,357,544
    diagram = " ".join(_texts(ET.fromstring(diagram_svg(report))))
    assert "138.36 M params · 15.47 G MACs" in diagram  # 15,470,264,320 MACs (torchvision's count)
    assert "64×224×224" in diagram and "4096" in diagram


def test_compare_chart_shows_both_totals() -> None:
    a, b = _report("vgg16"), _report("resnet50")
    texts = _texts(_check_xml(compare_chart_svg([a, b])))
    assert "138,357,544" in texts and "25,610,152" in texts  # torchvision: 138,357,544; 25,557,032 + 53,120 BN stats


def test_cli_writes_the_file_and_refuses_an_unwritable_path(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "r18.svg"
    result = runner.invoke(main, ["draw", str(SPECS / "resnet18.yaml"), "-o", str(out), "--input", "3x160x160"])
    assert result.exit_code == 0, result.output
    assert "64×40×40" in out.read_text()  # 160 / 4 after the stem: --input reaches the picture
    chart = tmp_path / "c.svg"
    result = runner.invoke(main, ["draw", str(SPECS / "vgg16.yaml"), "--chart", "macs", "-o", str(chart)])
    assert result.exit_code == 0 and "MACs (total 15,470,264,320)" in chart.read_text()
    result = runner.invoke(main, ["draw", str(SPECS / "vgg16.yaml"), "-o", str(tmp_path / "no" / "x.svg")])
    assert result.exit_code == 2
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 1 and "error: cannot write the output" in lines[0] and "Traceback" not in result.output
    result = runner.invoke(main, ["draw", str(SPECS / "vgg16.yaml"), "-o", str(tmp_path)])
    assert result.exit_code == 2 and len(result.stderr.strip().split("\n")) == 1


def test_wrap_keeps_every_character() -> None:
    for text in ("inception3a.concat1 branch 3", "conv 7×7 /2 p3 nobias · batchnorm · relu", "x" * 40, ""):
        lines = wrap(text, 17)
        assert all(len(line) <= 17 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_compare_chart_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "ab.svg"
    result = CliRunner().invoke(
        main, ["compare", str(SPECS / "vgg16.yaml"), str(SPECS / "resnet50.yaml"), "--chart", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    texts = _texts(_check_xml(out.read_text()))
    assert "A: VGG-16 (torchvision vgg16)" in texts and "B: ResNet-50 (torchvision resnet50)" in texts
    assert "15,470,264,320" in texts and "4,089,184,256" in texts  # torchvision's MACs of both


def test_each_input_is_drawn_and_read_by_the_layers_that_read_it() -> None:
    # SPEC-FORMAT "Several inputs": a layer with 'from: depth' reads the depth map, not the image;
    # the diagram draws each input as a box of its own, apart from the others, the edges from it
    text = """\
name: RGB-D
inputs: {image: [3, 32, 32], depth: [1, 32, 32]}
layers:
  - conv: {filters: 8, kernel: 3, padding: 1, name: rgb}
  - conv: {filters: 8, kernel: 3, padding: 1, from: depth, name: d}
  - concat: {from: [rgb, d]}
"""
    report = cnncalc.analyze(text)
    for style in STYLES:
        drawn, placed = diagram_layout(report, style, None)
        assert [(item.name, item.shape) for item in drawn[:2]] == [("image", (3, 32, 32)), ("depth", (1, 32, 32))]
        preds = {item.name: [drawn[p].name for p in item.preds] for item in drawn}
        assert preds["rgb"] == ["image"] and preds["d"] == ["depth"] and preds["concat1"] == ["rgb", "d"]
        _check_edges(placed)
        root = _check_xml(diagram_svg(report, style, None))
        assert "RGB-D — inputs image 3×32×32, depth 1×32×32" in _texts(root)


def test_a_diagram_draws_at_most_most_boxes() -> None:
    """20,000 layers drew 20,001 boxes (14 MB, 6 s). Now: 2,000 convs written flat are 2,001 tensors
    even with every block folded (there are none): the first MOST_BOXES are drawn, and a note says so."""
    from cnncalc.render.draw import MOST_BOXES

    flat = cnncalc.analyze({"input": [3, 8, 8], "layers": [{"conv": {"filters": 4, "kernel": 1}}] * 2000})
    for depth in ("auto", None):
        svg = diagram_svg(flat, "flat", depth)
        root = _check_xml(svg)
        assert svg.count('class="item"') == MOST_BOXES and len(svg) < 1_000_000
        texts = _texts(root)
        assert f"note: the first {MOST_BOXES} of 2,001 boxes: a diagram draws at most {MOST_BOXES}, " in " ".join(texts)
        assert "conv499" in texts and "conv500" not in texts  # the input and conv1..conv499, in order
    # 600 passes of [conv, relu] (the relu drawn with its conv): every layer is 601 boxes, folded to --depth 0
    nested = cnncalc.analyze(
        {
            "input": [3, 8, 8],
            "layers": [{"repeat": {"times": 600, "layers": [{"conv": {"filters": 3, "kernel": 1}}, "relu"]}}],
        }
    )
    svg = diagram_svg(nested, "3d", None)
    assert svg.count('class="item"') == 2  # the input and the folded repeat
    assert "note: folded to --depth 0: every layer would draw 601 boxes, more than the 500 a diagram draws" in svg
    assert "and 1,160 more</title>" in svg  # the repeat's tooltip names its first 40 of 1,200 rows
    assert "note:" not in diagram_svg(nested, "3d", "auto")  # folded to 2 boxes as always: nothing to say


def test_draw_from_the_command_line_is_bounded(tmp_path: Path) -> None:
    spec = tmp_path / "long.yaml"
    spec.write_text("input: [3, 8, 8]\nlayers:\n" + "  - conv: {filters: 4, kernel: 1}\n" * 1200, encoding="utf-8")
    out = tmp_path / "long.svg"
    result = CliRunner().invoke(main, ["draw", str(spec), "--depth", "all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count('class="item"') == 500
    # the picture's note is said on standard error too (a note inside a picture is easy to miss), not with -q
    assert result.stderr == (
        "cnncalc draw: the first 500 of 1,201 boxes: a diagram draws at most 500, even with every block "
        "folded (--depth 0); cnncalc summary lists every layer\n"
    )
    quiet = CliRunner().invoke(main, ["draw", str(spec), "--depth", "all", "-o", str(out), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_a_chart_draws_at_most_most_bars() -> None:
    # 2,000 convs 4 → 4, 1×1: 2,000 bars of 20 params (16 + 4 bias) even at --depth 0; the first 500 drawn
    from cnncalc.render.draw.chart import MOST_BARS

    flat = cnncalc.analyze({"input": [4, 8, 8], "layers": [{"conv": {"filters": 4, "kernel": 1}}] * 2000})
    svg = chart_svg(flat, "params", None)
    _check_xml(svg)
    assert svg.count("</title></rect>") == MOST_BARS and "conv500: 20</title>" in svg and "conv501:" not in svg
    assert f"note: the first {MOST_BARS} of 2,000 bars: a chart draws at most {MOST_BARS}" in svg
