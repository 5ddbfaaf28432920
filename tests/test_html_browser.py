"""The HTML report as a person sees it, in a real browser: Debian's Chromium,
headless, no driver and no Python dependency. Each page gets a probe (a
script run after the report's own) that clicks through it and writes what it
found into the page as JSON; ``chromium --dump-dom`` hands the page back and
``--screenshot`` writes a PNG of it, in the same start (one start per page,
all pages at once).

The screenshots are kept for a person to look at: the test prints their folder
in the run's summary ("HTML report screenshots: ..."), under pytest's
temporary folder (``--basetemp`` to choose it).

.ci/run installs Chromium; without /usr/bin/chromium these tests are skipped.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_html import TWO_INPUTS  # two inputs, one with a name no phone's width holds

import cnncalc
from cnncalc.compare import compare
from cnncalc.render.draw import chart_svg, diagram_svg
from cnncalc.render.html import render_html
from cnncalc.render.html_compare import render_compare_html

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
REPORTS = ("vgg16", "resnet50", "googlenet", "unet_2015", "vit_b_16")
DEPTH = {"resnet50": 1}  # its blocks inside the stages start closed: the probe sees that too

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (.ci/run installs it: apt-get install chromium)"
)

# As the machine needs it (root, no screen, no network): docs of the python machine kind.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

# First in <head>: every error and console.error of the page, the report's script included.
CATCH = """<script>
window.__errors=[];
window.addEventListener('error',function(e){window.__errors.push(String(e.message));});
(function(){var real=console.error;console.error=function(){
 window.__errors.push(Array.prototype.join.call(arguments,' '));real.apply(console,arguments);};})();
</script>"""

# Last in <body>: what a person would check, written into <pre id="probe">.
PROBE = """<pre id="probe" hidden></pre><script>
(function(){
var out={errors:window.__errors,folds:[]};
function shown(r){return r.getClientRects().length>0;}
var rows=Array.prototype.slice.call(document.querySelectorAll('tr[id^="r"]'));
out.names=rows.map(function(r){return r.cells[0].textContent;});
out.initial=rows.filter(shown).length;
var openAll=document.querySelector('.tools button[data-open="1"]');
var closeAll=document.querySelector('.tools button[data-open="0"]');
if(closeAll){closeAll.click();out.closed=rows.filter(shown).length;openAll.click();}
out.opened=rows.filter(shown).length;
out.tall=rows.filter(function(r){return r.getBoundingClientRect().height>=8;}).length;
document.querySelectorAll('tr.group').forEach(function(h){
 var g=h.dataset.g,b=h.querySelector('button');
 var inside=rows.filter(function(r){return (' '+(r.dataset.in||'')+' ').indexOf(' '+g+' ')>=0;});
 b.click();
 var stillShown=inside.filter(shown).length;
 var othersHidden=rows.filter(function(r){return inside.indexOf(r)<0&&!shown(r);}).length;
 var label=b.getAttribute('aria-expanded');
 b.click();
 out.folds.push([g,inside.length,stillShown,othersHidden,label,rows.filter(shown).length]);
});
out.overflow=document.documentElement.scrollWidth-window.innerWidth;
out.inputs=Array.prototype.map.call(document.querySelectorAll('tr.input'),function(r){return r.cells[0].textContent;});
out.items=Array.prototype.map.call(document.querySelectorAll('figure.diagram g.item'),function(g){
 var b=g.getBBox();return [b.x,b.y,b.width,b.height];});
out.pictures=document.querySelectorAll('figure svg').length;
document.getElementById('probe').textContent=JSON.stringify(out);
})();
</script>"""


# The standalone SVG files (what `cnncalc draw` writes), each in an <object>: one start for all.
SVG_PROBE = """<pre id="probe" hidden></pre><script>
window.addEventListener('load',function(){
var out={errors:window.__errors,svgs:{}};
document.querySelectorAll('object').forEach(function(o){
 var doc=o.contentDocument;
 if(!doc){out.svgs[o.id]=null;return;}
 out.svgs[o.id]={root:doc.documentElement.tagName,broken:doc.getElementsByTagName('parsererror').length,
  items:Array.prototype.map.call(doc.querySelectorAll('g.item'),function(g){
   var b=g.getBBox();return [b.x,b.y,b.width,b.height];}),
  texts:doc.querySelectorAll('text').length};
});
document.getElementById('probe').textContent=JSON.stringify(out);
});
</script>"""


def overlaps(boxes: list[list[float]]) -> list[tuple[int, int]]:
    """Pairs of boxes (x, y, width, height) that share more than half a unit both ways."""
    found = []
    for i, (x, y, w, h) in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            u, v, p, q = boxes[j]
            if min(x + w, u + p) - max(x, u) > 0.5 and min(y + h, v + q) - max(y, v) > 0.5:
                found.append((i, j))
    return found


def probed(page: str) -> str:
    """The page with the error catcher first and the probe last."""
    return page.replace("<head>\n", "<head>\n" + CATCH + "\n", 1).replace("</body>", PROBE + "\n</body>", 1)


def svg_harness(folder: Path) -> str:
    """A page holding each report's diagram and VGG16's chart as standalone SVG files, as
    `cnncalc draw` writes them (written into ``folder``, beside the page)."""
    objects = []
    for name in REPORTS:
        report = cnncalc.analyze(SPECS / f"{name}.yaml")
        pictures = {f"{name}-diagram": diagram_svg(report)}
        if name == "vgg16":
            pictures[f"{name}-chart"] = chart_svg(report, ["params", "memory"])
        for file, svg in pictures.items():
            (folder / f"{file}.svg").write_text(svg, encoding="utf-8")
            objects.append(f'<object id="{file}" type="image/svg+xml" data="{file}.svg"></object>')
    body = "\n".join(f"<div>{item}</div>" for item in objects)
    return f"<!DOCTYPE html>\n<html>\n<head>\n{CATCH}\n</head>\n<body>\n{body}\n{SVG_PROBE}\n</body>\n</html>\n"


def pages() -> Iterator[tuple[str, str, tuple[int, int]]]:
    """(name, markup, window size) of every page the browser opens (the SVG harness apart)."""
    for name in REPORTS:
        yield name, render_html(cnncalc.analyze(SPECS / f"{name}.yaml"), depth=DEPTH.get(name)), (1280, 2000)
    yield "resnet50-phone", render_html(cnncalc.analyze(SPECS / "resnet50.yaml")), (390, 844)
    yield "two-inputs-phone", render_html(cnncalc.analyze(TWO_INPUTS)), (390, 844)
    two = [cnncalc.analyze(SPECS / f"{name}.yaml") for name in ("vgg16", "vgg19")]
    yield (
        "compare-vgg16-vgg19",
        render_compare_html(compare(two, ["specs/vgg16.yaml", "specs/vgg19.yaml"])),
        (1280, 1200),
    )


@pytest.fixture(scope="module")
def seen(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Every page opened in Chromium at once: the probe's findings by page name."""
    folder = tmp_path_factory.mktemp("html-screenshots")
    profiles = tmp_path_factory.mktemp("chromium-profiles")  # fresh ones, out of the screenshots' way
    running = {}
    opened = [(name, probed(markup), size) for name, markup, size in pages()]
    opened.append(("svg-files", svg_harness(folder), (1400, 4000)))
    for name, markup, (width, height) in opened:
        path = folder / f"{name}.html"
        path.write_text(markup, encoding="ascii")
        command = [
            str(CHROMIUM),
            *FLAGS,
            f"--user-data-dir={profiles / name}",
            f"--window-size={width},{height}",
            f"--screenshot={folder / (name + '.png')}",
            "--dump-dom",
            "--allow-file-access-from-files",  # the harness reads its SVG files' documents
            path.as_uri(),
        ]
        running[name] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    found = {}
    for name, process in running.items():
        dom, _ = process.communicate(timeout=120)  # a hang guard, not a speed test
        probe = re.search(r'<pre id="probe" hidden="">(.*?)</pre>', dom, re.S)
        assert probe, f"{name}: no probe findings in the DOM Chromium dumped ({process.returncode}): {dom[:300]}"
        found[name] = json.loads(html.unescape(probe.group(1)))
    return folder, found


def test_screenshots_are_written(seen: tuple[Path, dict[str, Any]], record_property: Any) -> None:
    folder, found = seen
    record_property("screenshots", str(folder))
    for name in found:
        png = (folder / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000, name  # a page, not a blank


@pytest.mark.parametrize("name", REPORTS)
def test_the_report_in_a_browser(seen: tuple[Path, dict[str, Any]], name: str) -> None:
    """No error; every layer's row there, with its name, drawn; the blocks deeper than
    --depth start closed; closing a block hides exactly its rows, opening it shows them again."""
    found = seen[1][name]
    report = cnncalc.analyze(SPECS / f"{name}.yaml")
    assert found["errors"] == []
    assert found["names"] == [row.name.rsplit(".", 1)[-1] if row.depth > 0 else row.name for row in report.rows]
    assert found["opened"] == found["tall"] == len(report.rows)
    depth = DEPTH.get(name)
    chains = _chains(report)
    starts_shown = [
        row
        for row in report.rows
        if depth is None or all(report.groups[g].depth - 1 < depth for g in chains[row.group])
    ]
    assert found["initial"] == len(starts_shown)
    assert found.get("closed", len(report.rows)) == sum(1 for row in report.rows if row.group is None)
    assert len(found["folds"]) == len(report.groups)
    for group, inside, still_shown, others_hidden, label, after in found["folds"]:
        assert inside > 0 and still_shown == 0 and others_hidden == 0 and label == "false", group
        assert after == len(report.rows), group
    assert found["overflow"] <= 0  # the page itself never scrolls sideways: the table scrolls in its box
    assert found["pictures"] == 2  # the diagram and the chart
    assert len(found["items"]) >= 3 and overlaps(found["items"]) == []  # the diagram's boxes, as drawn


def _chains(report: cnncalc.Report) -> dict[int | None, list[int]]:
    chains: dict[int | None, list[int]] = {None: []}
    for group in report.groups:
        chains[group.id] = [*chains[group.parent], group.id]
    return chains


def test_a_phone_sees_the_page_without_sideways_scrolling(seen: tuple[Path, dict[str, Any]]) -> None:
    found = seen[1]["resnet50-phone"]
    assert found["errors"] == [] and found["overflow"] <= 0


def test_several_inputs_on_a_phone(seen: tuple[Path, dict[str, Any]]) -> None:
    """Each input is a row, as in the table; an input name too long for the screen breaks
    (title, meta line) or scrolls inside the table's box: the page never scrolls sideways."""
    found = seen[1]["two-inputs-phone"]
    assert found["errors"] == [] and found["overflow"] <= 0
    assert found["inputs"] == ["image", "very_long_input_name_that_does_not_break_anywhere_at_all"]


def test_compare_in_a_browser(seen: tuple[Path, dict[str, Any]]) -> None:
    found = seen[1]["compare-vgg16-vgg19"]
    assert found["errors"] == [] and found["overflow"] <= 0
    assert found["pictures"] == 1


@pytest.mark.parametrize("name", [*(f"{name}-diagram" for name in REPORTS), "vgg16-chart"])
def test_the_svg_files_in_a_browser(seen: tuple[Path, dict[str, Any]], name: str) -> None:
    """Each SVG file opens as an SVG document (no XML error), its text is real text, and
    its blocks (each tensor with its label) do not overlap, measured by the browser."""
    found = seen[1]["svg-files"]
    assert found["errors"] == []
    picture = found["svgs"][name]
    assert picture is not None, "Chromium gave the harness no document of the file"
    assert picture["root"] == "svg" and picture["broken"] == 0 and picture["texts"] > 3
    assert overlaps(picture["items"]) == []
    if name.endswith("diagram"):
        assert len(picture["items"]) >= 3
