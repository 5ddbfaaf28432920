"""The HTML report (``--format html``) and the notebook report, without a
browser: the page parses with every tag closed, every layer has its row,
nothing is fetched from anywhere, user text is escaped, the figures are the
ones the other formats print, exact on hover. (tests/test_html_browser.py opens
the pages in Chromium.)"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import main
from cnncalc.render.html import render_html, report_fragment
from cnncalc.render.html_assets import STYLE

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
VOID = {"meta", "br", "img", "hr", "input", "link", "wbr", "col", "source"}


class Page(HTMLParser):
    """Tags nested and closed, plus what the tests look at: rows, titles, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.rows: list[dict[str, str]] = []  # every <tr>'s attributes, its cells' text
        self.titles: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = {name: value or "" for name, value in attrs}
        self.attributes += values.items()
        if "title" in values:
            self.titles.append(values["title"])
        if tag == "tr":
            self.rows.append({**values, "cells": ""})
        if tag in ("td", "th"):
            self._cell = []
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1]["cells"] += "".join(self._cell).strip() + "|"
            self._cell = None
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
            return
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def parsed(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    page.close()
    assert page.errors == [] and page.open == [], (page.errors, page.open)
    return page


def html_of(spec: Path, *options: str) -> str:
    result = CliRunner().invoke(main, ["summary", str(spec), "--format", "html", *options])
    assert result.exit_code == 0, result.output
    return result.stdout


def assert_self_contained(markup: str) -> None:
    """Nothing that a browser would fetch: no URL, no src, no link, no @import or url()."""
    lowered = markup.lower()
    for needle in ("http:", "https:", "src=", "<link", "@import", "//cdn", "<iframe", "<object"):
        assert needle not in lowered, needle
    assert not re.search(r"url\((?!#)", lowered)  # url(#arrow): a marker defined in the page
    referenced = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', markup))
    defined = re.findall(r' id="([^"]+)"', markup)
    assert referenced <= set(defined), referenced - set(defined)  # every id a picture uses is there
    assert len(defined) == len(set(defined))  # once: the diagram's and the chart's ids do not meet
    assert markup.isascii()  # every other character is a reference: any output encoding reads it


@pytest.mark.parametrize("name", ["vgg16", "resnet50", "googlenet", "unet_2015", "vit_b_16"])
def test_every_layer_has_its_row(name: str) -> None:
    markup = html_of(SPECS / f"{name}.yaml", "--depth", "all")
    report = cnncalc.analyze(SPECS / f"{name}.yaml")
    page = parsed(markup)
    assert_self_contained(markup)
    layer_rows = [row for row in page.rows if row.get("id", "").startswith("r")]
    assert [row["id"] for row in layer_rows] == [f"r{i}" for i in range(len(report.rows))]
    for row, layer in zip(layer_rows, report.rows):
        local = layer.name.rsplit(".", 1)[-1] if layer.depth > 0 else layer.name
        assert row["cells"].split("|")[0] == local
    groups = [row for row in page.rows if "data-g" in row]
    assert len(groups) == len(report.groups)  # every block, repeat and branch can be folded
    assert page.tags.count("script") == 1 and page.tags.count("style") == 2  # the page's, the diagram's
    assert (
        page.tags.count("svg") == 2
        and ("class", "diagram") in page.attributes
        and ("class", "chart") in page.attributes
    )
    assert "<!DOCTYPE html>" in markup[:20] and "<title>" in markup


def test_figures_are_exact_on_hover() -> None:
    """VGG16's fc6 is Linear(25088, 4096): 25088·4096 + 4096 = 102,764,544 params and
    25088·4096 = 102,760,448 MACs; the network has torchvision's 138,357,544 params."""
    page = parsed(html_of(SPECS / "vgg16.yaml"))
    fc6 = next(row for row in page.rows if row["cells"].startswith("fc6|"))
    assert "102.76 M" in fc6["cells"]
    assert "102,764,544 params" in page.titles
    assert "102,760,448 MACs" in page.titles
    text = " ".join(page.text)
    assert "138,357,544" in text and "527.79 MiB" in text  # the totals, in the footer's words
    assert "KiB/MiB/GiB = 2^10/2^20/2^30 bytes" in text  # and its conventions


def test_blocks_deeper_than_the_depth_start_closed() -> None:
    """``--depth 1`` on ResNet-50: the stages are open, what is inside them starts closed
    (the script closes them: without it every row shows)."""
    report = cnncalc.analyze(SPECS / "resnet50.yaml")
    page = parsed(html_of(SPECS / "resnet50.yaml", "--depth", "1"))
    groups = {row["data-g"]: row for row in page.rows if "data-g" in row}
    for group in report.groups:
        assert (groups[str(group.id)].get("data-start") == "closed") == (group.depth - 1 >= 1), group
    assert not any("hidden" in row for row in page.rows)


def test_a_long_report_starts_folded_with_a_note() -> None:
    result = CliRunner().invoke(main, ["summary", str(SPECS / "resnet152.yaml"), "--format", "html"])
    assert result.exit_code == 0
    assert "start closed; --depth all opens them" in result.stderr
    page = parsed(result.stdout)
    report = cnncalc.analyze(SPECS / "resnet152.yaml")
    assert sum(1 for row in page.rows if row.get("id", "").startswith("r")) == len(report.rows)
    assert any(row.get("data-start") == "closed" for row in page.rows)


EVIL = "<script>alert(1)</script>&amp;\x1b[2J\u202e"


def test_user_text_is_escaped(tmp_path: Path) -> None:
    spec = tmp_path / "evil.yaml"
    name = json.dumps(EVIL)  # a YAML double-quoted string is JSON's
    spec.write_text(
        f"name: {name}\ninput: [3, 8, 8]\nlayers:\n  - conv: {{filters: 4, kernel: 3, name: {name}}}\n"
        f'  - repeat: {{times: 2, name: {name[:-1]}r", layers: [relu]}}\n',
        encoding="utf-8",
    )
    markup = html_of(spec)
    page = parsed(markup)
    assert page.tags.count("script") == 1  # only the page's own
    assert "\x1b" not in markup and "\u202e" not in markup
    shown = "<script>alert(1)</script>&amp;\\x1b[2J\\u202e"  # as text, the controls as escapes
    assert any(shown in data for data in page.text)
    assert any(shown in title for title in page.titles)
    assert "&lt;script&gt;" in markup and "&amp;amp;" in markup
    assert_self_contained(markup)


def test_compare_as_html() -> None:
    """VGG19 has 143,667,240 params (torchvision), 1.04× VGG16's; three conv+relu pairs more."""
    result = CliRunner().invoke(
        main, ["compare", str(SPECS / "vgg16.yaml"), str(SPECS / "vgg19.yaml"), "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    page = parsed(result.stdout)
    assert_self_contained(result.stdout)
    text = " ".join(page.text)
    assert "143,667,240" in text and "138,357,544" in text
    params = next(row for row in page.rows if row["cells"].startswith("params|"))
    assert params["cells"].split("|")[3] == "1.04"
    assert page.tags.count("svg") == 1  # the totals side by side
    added = [row["cells"].split("|")[1] for row in page.rows if row.get("class") == "added"]
    assert added == ["conv3_4", "relu8", "conv4_4", "relu12", "conv5_1", "relu13"]


# --- the notebook report ------------------------------------------------------------------------------


def test_a_notebook_shows_the_table_not_a_wall_of_text() -> None:
    report = cnncalc.analyze(SPECS / "vgg16.yaml")
    line = repr(report)
    assert "\n" not in line and len(line) < 200
    assert "VGG-16" in line and "3×224×224" in line and "138.36 M params" in line and "15.47 G MACs" in line
    fragment = report._repr_html_()
    page = parsed(fragment)
    assert "html" not in page.tags and "body" not in page.tags and "head" not in page.tags
    assert page.tags.count("style") == 2 and page.tags.count("script") == 1  # its style travels with it
    assert sum(1 for row in page.rows if row.get("id", "").startswith("r")) == len(report.rows)
    assert fragment == report_fragment(report)
    body = render_html(report).split("<body>\n", 1)[1]
    assert body.replace("</body>\n</html>\n", "") == fragment.replace(f"<style>{STYLE}</style>\n", "", 1)


def test_rows_are_ready_for_pandas() -> None:
    """Plain values, the same keys on every row; they add up to the totals (the input has no params)."""
    report = cnncalc.analyze(SPECS / "resnet50.yaml")
    rows = report.rows()
    assert len(rows) == len(report.rows) and report.rows[-1].output == (1000,)  # still the tuple of rows
    assert len({tuple(row) for row in rows}) == 1
    json.dumps(rows)  # nothing but numbers, text, lists, None
    assert sum(row["trainable"] for row in rows) == 25_557_032  # torchvision resnet50's parameters()
    assert sum(row["params"] for row in rows) == report.totals.params
    assert sum(row["macs"] for row in rows) == report.totals.macs
    first = rows[0]
    assert (
        first["name"] == "conv1" and first["summary"] == "conv 7×7 /2 p3 nobias" and first["output"] == [64, 112, 112]
    )
    assert first["rf_size"] == [7, 7] and first["rf_jump"] == [2, 2]
    assert rows[-1]["rf_size"] is None  # the classifier sees the whole input


def test_table_prints_the_terminal_table(capsys: pytest.CaptureFixture[str]) -> None:
    report = cnncalc.analyze(SPECS / "vgg16.yaml")
    assert report.table() is None
    printed = capsys.readouterr().out
    expected = CliRunner().invoke(main, ["summary", str(SPECS / "vgg16.yaml"), "--width", "120"]).stdout
    assert printed == expected


def test_the_notebook_report_is_still_a_report() -> None:
    report = cnncalc.analyze(SPECS / "vgg16.yaml")
    assert isinstance(report, cnncalc.Report)
    assert report == cnncalc.analyze(SPECS / "vgg16.yaml")
    assert re.search(r"\bbatch 1\b", repr(report))


def test_the_memory_view() -> None:
    """``--view memory``: the columns and footer of the memory view (no MACs), as in the terminal.
    VGG16's first conv saves its 3×224×224 float32 input for backward: 602,112 B."""
    page = parsed(html_of(SPECS / "vgg16.yaml", "--view", "memory"))
    headings = page.rows[0]["cells"].split("|")
    assert "MACs" not in headings and "Saved" in headings
    assert "602,112 B saved for backward" in page.titles
    assert "MACs" not in [cells.split("|")[0] for cells in (row["cells"] for row in page.rows)]


def test_the_pictures_keep_their_style_to_themselves() -> None:
    """An SVG's <style> inside HTML styles the whole page: the diagram's '.name' rule must not
    reach the table's cells, so every rule is kept to its figure."""
    markup = html_of(SPECS / "resnet18.yaml")
    figures = re.findall(r'<figure class="(\w+)">(.*?)</figure>', markup, re.S)
    assert [name for name, _ in figures] == ["diagram", "chart"]
    for name, figure in figures:
        style = "".join(re.findall(r"<style>(.*?)</style>", figure, re.S))
        scope = f".cnncalc figure.{name} "
        selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", style) for s in rule.split(",")]
        assert all(s.startswith(scope) for s in selectors), selectors
        assert selectors or name == "chart"  # the chart styles its bars in attributes


TWO_INPUTS = """\
name: RGB-D with a very_long_input_name_that_does_not_break_anywhere_at_all
inputs: {image: [3, 32, 32], very_long_input_name_that_does_not_break_anywhere_at_all: [1, 32, 32]}
layers:
  - conv: {filters: 8, kernel: 3, padding: 1, name: rgb}
  - conv: {filters: 8, kernel: 3, padding: 1, from: very_long_input_name_that_does_not_break_anywhere_at_all, name: d}
  - concat: {from: [rgb, d]}
"""


def test_several_inputs_are_rows_of_their_own() -> None:
    # as the table: a row per input under its name; float32 3·32·32·4 = 12,288 B and 1·32·32·4 = 4,096 B
    page = parsed(render_html(cnncalc.analyze(TWO_INPUTS)))
    inputs = [row["cells"].split("|") for row in page.rows if row.get("class") == "input"]
    long = "very_long_input_name_that_does_not_break_anywhere_at_all"
    assert [(cells[0], cells[2]) for cells in inputs] == [("image", "3×32×32"), (long, "1×32×32")]
    assert "12,288 B" in " ".join(page.titles) and "4,096 B" in " ".join(page.titles)
    assert f"inputs image 3×32×32, {long} 1×32×32, batch 1, float32" in " ".join(page.text)
