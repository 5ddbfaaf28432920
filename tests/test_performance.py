"""The fast paths give exactly what the plain ones gave.

Speed itself is measured by ``bench/bench.py``, not here: these tests pin the
equivalences the speed-ups rely on (JSON written without ``json.dumps``, the
table laid out without rich, the receptive field in ints) and that the check
and JSON paths never import rich.
"""

from __future__ import annotations

import enum
import itertools
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

import cnncalc
from cnncalc.record import replace
from cnncalc.render import chunked, plain
from cnncalc.render.table import render_table
from cnncalc.render.text import _encode, json_chunks, render_json

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").rglob("*.yaml"))


@pytest.fixture(scope="module")
def reports() -> dict[str, cnncalc.Report]:
    return {spec: cnncalc.analyze(ROOT / spec) for spec in SPECS}


def chain(layers: int) -> str:
    pattern = ("  - conv: {filters: 8, kernel: 3, padding: 1}\n", "  - batchnorm\n", "  - relu\n")
    return "input: [8, 6, 6]\nlayers:\n" + "".join(pattern[i % 3] for i in range(layers))


# --- JSON ----------------------------------------------------------------------


def test_json_is_json_dumps_byte_for_byte(reports):
    for spec, report in reports.items():
        for variant in (report, replace(report, batch=3)):
            assert render_json(variant) == json.dumps(variant.to_dict(), indent=2) + "\n", spec


def test_json_chunks_join_to_the_whole():
    report = cnncalc.analyze(chain(10_000))  # more than one chunk of layers
    pieces = list(json_chunks(report))
    assert len(pieces) > 3
    assert "".join(pieces) == json.dumps(report.to_dict(), indent=2) + "\n"
    assert "".join(chunked("json")(report)) == "".join(pieces)


class Small(enum.IntEnum):
    THREE = 3


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        float("nan"),
        float("inf"),
        -float("inf"),
        -0.0,
        1e300,
        10**40,
        'é\n"\\\u2028\x00',
        None,
        True,
        [],
        {},
        [[]],
        {"a": {}},
        (1, 2),
        [1.0, 2, "x", None, False, [1, [2, {}]], {"b": ()}],
        Small.THREE,
        {1: 2, "a": [Small.THREE]},
        {True: None},
    ],
)
def test_encoder_spells_values_as_json_does(value):
    for wrapped in (value, {"k": value, "z": [value]}, [value, value]):
        assert _encode(wrapped, "\n") == json.dumps(wrapped, indent=2)


def test_json_of_unusual_reports(reports):
    report = reports["specs/resnet18.yaml"]
    rows = report.rows
    unusual = [
        replace(report, name='a"\x00'),  # holds the placeholder the layers are spliced at
        replace(report, rows=()),
        replace(report, rows=(replace(rows[0], macs=Small.THREE), *rows[1:])),
        replace(report, rows=tuple(replace(r, depth=True) for r in rows)),
        # receptive fields the writer spells straight from the axes, and those it hands to json
        # (the first row as it is: the writer checks itself on it and goes the long way if it differs)
        replace(report, rows=(rows[0], *(replace(r, rf=rf) for r, rf in zip(rows[1:], _unusual_fields())))),
    ]
    for variant in unusual:
        assert render_json(variant) == json.dumps(variant.to_dict(), indent=2) + "\n"
    with pytest.raises(TypeError):  # what json cannot write, it cannot either
        render_json(replace(report, rows=(replace(rows[0], macs=Fraction(1, 3)),)))


def _unusual_fields():
    from cnncalc.report import AxisRF

    yield (AxisRF(3, 2, Fraction(-1, 2)), AxisRF(5, 4, 0))  # a Fraction start
    yield (AxisRF(3, 2, 2**60), AxisRF(3, 2, -(2**53)))  # starts past float's exact range
    yield (AxisRF(3.5e20, 2, 1.5),)  # floats (past engine.RF_EXACT)
    yield (AxisRF(Fraction(7, 2), Fraction(1, 2), Fraction(1, 4)),)  # an upsampled field
    yield ()  # no axes
    yield (AxisRF(1, 1, 0),) * 3
    yield None


# --- receptive field in ints ------------------------------------------------------


def test_receptive_field_values_equal_fractions(reports):
    report = reports["specs/vgg16.yaml"]
    pool5 = next(r for r in report.rows if r.name == "pool5")
    assert pool5.rf is not None
    assert [(a.size, a.jump, a.start) for a in pool5.rf] == [(212, 32, Fraction(31, 2))] * 2
    assert pool5.rf_dict() == {"size": [212, 212], "jump": [32, 32], "start": [15.5, 15.5]}
    for row in report.rows:
        for value in row.to_dict()["rf"]["size"] if row.rf else ():
            assert type(value) is int


# --- the table without rich ---------------------------------------------------------


def rich_only(self, item, **options):
    self.rich_console().print(item.rich() if isinstance(item, plain.Table | plain.Text) else item, **options)


def test_plain_table_is_rich_table(reports, monkeypatch):
    for (spec, report), depth in itertools.product(reports.items(), (None, 1)):
        width, layout = 160, "nchw"
        fast = render_table(report, depth=depth, width=width, layout=layout, color=False)
        with monkeypatch.context() as patch:
            patch.setattr(plain.Console, "print", rich_only)
            slow = render_table(report, depth=depth, width=width, layout=layout, color=False)
        assert fast == slow, (spec, depth, width, layout)


@pytest.mark.parametrize("name", ["x[bold]y", "日本語", "a\tb", "trailing   ", "  lead", "é", "[", "x" * 150, "a]"])
def test_plain_table_hands_odd_text_to_rich(reports, monkeypatch, name):
    report = reports["specs/resnet18.yaml"]
    rows = tuple(replace(row, name=f"{name}{i}") for i, row in enumerate(report.rows))
    for variant in (replace(report, rows=rows), replace(report, name=name)):
        fast = render_table(variant, width=160, color=False)
        with monkeypatch.context() as patch:
            patch.setattr(plain.Console, "print", rich_only)
            slow = render_table(variant, width=160, color=False)
        assert fast == slow


@pytest.mark.parametrize(
    "spec", ["specs/googlenet_aux.yaml", "specs/mobilenet_v2.yaml", "specs/notes/conv1d_w7_k3_s2.yaml"]
)
def test_plain_table_other_layouts_and_widths(reports, monkeypatch, spec):
    for depth, width, layout in ((None, 250, "nhwc"), (0, 100, "nhwc"), (2, 60, "nchw")):
        fast = render_table(reports[spec], depth=depth, width=width, layout=layout, color=False)
        with monkeypatch.context() as patch:
            patch.setattr(plain.Console, "print", rich_only)
            assert fast == render_table(reports[spec], depth=depth, width=width, layout=layout, color=False)


def test_plain_table_of_a_long_chain(monkeypatch):
    report = cnncalc.analyze(chain(600))
    fast = render_table(report, width=160, color=False)
    with monkeypatch.context() as patch:
        patch.setattr(plain.Console, "print", rich_only)
        assert fast == render_table(report, width=160, color=False)


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_plain_table_past_rich_max_rows_is_rich_table(reports, monkeypatch, color):
    """Past RICH_MAX_ROWS plain.py draws what it would otherwise hand to rich: a wide
    character measured a column at a time, in colour too."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    report = reports["specs/resnet18.yaml"]
    rows = tuple(replace(row, name=f"日本{i}" if i % 7 == 0 else row.name) for i, row in enumerate(report.rows))
    variant = replace(report, rows=rows)
    with monkeypatch.context() as patch:
        patch.setattr(plain, "RICH_MAX_ROWS", 5)
        fast = render_table(variant, width=200, color=color)
    with monkeypatch.context() as patch:
        patch.setattr(plain.Console, "print", rich_only)
        slow = render_table(variant, width=200, color=color)
    assert "日本" in fast
    assert fast == slow


def test_narrow_characters_are_one_cell_for_rich():
    from rich.cells import cell_len

    assert all(cell_len(char) == 1 for char in plain._NARROW)


# --- what the short paths import ------------------------------------------------------


@pytest.mark.parametrize("args", [["check", "specs/vgg16.yaml"], ["summary", "specs/vgg16.yaml", "--format", "json"]])
def test_paths_without_a_table_do_not_import_rich(args):
    code = (
        "import sys\n"
        "from cnncalc.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write('rich' in sys.modules and 'RICH' or 'NO-RICH')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stderr.endswith("NO-RICH"), result.stderr


def test_check_does_not_import_pathlib_or_locale():
    """pathlib brings urllib.parse and ipaddress: about 4 ms of a 67 ms ``check``
    (bench/bench.py's target is 1.30x ``import click, yaml``); locale comes with
    click's gettext lookups, another 2 ms (cnncalc/cli/__init__.py). Run without the
    site module, whose editable-install finder imports pathlib itself."""
    import site

    path = [str(ROOT), *site.getsitepackages()]
    code = (
        f"import sys\nsys.path[:0] = {path!r}\nfrom cnncalc.cli import main\ntry:\n"
        "    main(['check', 'specs/vgg16.yaml'])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(sorted({'pathlib', 'locale'} & set(sys.modules))) or 'NEITHER')\n"
    )
    result = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "every layer exact" in result.stdout
    assert result.stderr.endswith("NEITHER"), result.stderr


def test_summary_piped_does_not_import_rich():
    code = "import sys\nfrom cnncalc.cli import entry\ntry:\n    entry()\nexcept SystemExit:\n    pass\n"
    code += "sys.stderr.write('rich' in sys.modules and 'RICH' or 'NO-RICH')\n"
    result = subprocess.run(
        [sys.executable, "-c", code, "summary", "specs/vgg16.yaml"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.stdout.startswith("VGG-16")
    assert result.stderr.endswith("NO-RICH"), result.stderr


def test_version_is_the_installed_one_without_importlib_metadata():
    """--version reads cnncalc.__version__ (importlib.metadata costs 25 ms), the
    figure pyproject.toml's dynamic version installs."""
    from importlib.metadata import version

    code = (
        "import sys\nfrom cnncalc.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('importlib.metadata' in sys.modules and 'METADATA' or 'NO-METADATA')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip().endswith(f"version {version('cnncalc')}")
    assert result.stdout.strip().endswith(f"version {cnncalc.__version__}")
    assert result.stderr.endswith("NO-METADATA"), result.stderr
