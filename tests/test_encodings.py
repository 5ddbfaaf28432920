"""Output in any encoding: where stdout cannot encode the table's symbols they
are spelt in ASCII (render/symbols.py), ``--ascii`` forces it, and no locale
gives a traceback or changes an exit code (each case a real process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import main
from cnncalc.render.symbols import ASCII, TABLE_SYMBOLS, encodes, to_ascii

ROOT = Path(__file__).resolve().parent.parent
SMALL = "tests/golden/small.yaml"  # an inexact layer allowed and one not: check exits 1
BAD = "input: [3, 32, 32]\nlayers:\n  - relu\n  - convv: {filters: 8, kernel: 3}\n"

COMMANDS = {
    "summary": (["summary", SMALL], 0),
    "summary-depth": (["summary", "specs/resnet50.yaml", "--depth", "1", "--width", "80"], 0),
    "check": (["check", SMALL, "specs/vgg16.yaml"], 1),
    "sizes": (["sizes", "specs/resnet18.yaml"], 0),
    "compare": (["compare", "specs/compare/one_7x7.yaml", "specs/compare/three_3x3.yaml"], 0),
    "error": (["summary", "BAD"], 2),
}
LOCALES = {
    "LANG=C": {"LANG": "C"},
    "LC_ALL=C": {"LC_ALL": "C"},
    "ascii": {"PYTHONIOENCODING": "ascii"},
    "latin-1": {"PYTHONIOENCODING": "latin-1"},
    "cp1252": {"PYTHONIOENCODING": "cp1252"},
}


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIOENCODING", "COLUMNS"))}
    argv = [str(bad) if arg == "BAD" else arg for arg in args]
    return subprocess.run(
        [sys.executable, "-m", "cnncalc", *argv], capture_output=True, cwd=ROOT, env={**base, **env}, timeout=60
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("command", COMMANDS)
def test_no_traceback_and_the_same_exit_code_in_any_locale(tmp_path, command, locale):
    args, code = COMMANDS[command]
    env = LOCALES[locale]
    result = run(args, env, tmp_path)
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert result.returncode == code, (result.returncode, stderr)
    encoding = env.get("PYTHONIOENCODING")
    if encoding:
        text = result.stdout.decode(encoding)  # what was written is in the encoding asked for
        assert "?" not in text.replace("'?'", ""), text  # every symbol spelt, none replaced
        if command.startswith("summary") and not encodes(encoding):
            assert "|" in text and "x" in text and text.isascii() or encoding != "ascii"
    if command == "error":
        assert "bad.yaml:4:5: error: unknown layer type 'convv'" in stderr


def test_the_same_figures_in_ascii(tmp_path):
    unicode = run(["summary", SMALL], {"PYTHONIOENCODING": "utf-8"}, tmp_path).stdout.decode()
    ascii = run(["summary", SMALL], {"PYTHONIOENCODING": "ascii"}, tmp_path).stdout.decode("ascii")
    assert re.findall(r"\d[\d,.]*", ascii) == re.findall(r"\d[\d,.]*", unicode)
    assert ascii.count("\n") == unicode.count("\n")
    assert "16x16x16 !1" in ascii and "v basic1" in ascii and "| | conv1" in ascii


def test_ascii_flag_forces_it():
    result = CliRunner().invoke(main, ["summary", str(ROOT / SMALL), "--ascii"])
    assert result.exit_code == 0
    assert result.stdout.isascii()
    assert "add <- batchnorm2, batchnorm3" in result.stdout  # laid out after the translation: columns align
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("Layer"))
    assert "Share: params|memory" in header
    assert all(len(line) <= 160 for line in lines)


def test_every_symbol_has_an_ascii_spelling():
    assert all(symbol in ASCII for symbol in TABLE_SYMBOLS)
    assert all(text.isascii() for text in ASCII.values())
    assert encodes("utf-8") and not encodes("cp1252") and not encodes("no-such-encoding")


@pytest.mark.parametrize("args", [["summary", "specs/vgg16.yaml"], ["check", "specs/resnet18.yaml"]])
def test_what_cnncalc_writes_has_an_ascii_spelling(args):
    """No symbol the renderers write is missing from the ASCII table."""
    result = CliRunner().invoke(main, [*args[:1], str(ROOT / args[1]), *args[2:]])
    text = result.stdout + result.stderr
    assert to_ascii(text).isascii(), sorted({c for c in to_ascii(text) if not c.isascii()})


def test_writable_spells_what_an_encoding_cannot_write():
    from cnncalc.render.symbols import writable

    assert writable("3×3 │ é 日", "utf-8") == "3×3 │ é 日"
    assert writable("3×3 │ é 日", "latin-1") == "3x3 | é ?"  # latin-1 has × but not │: the whole text in ASCII
    assert writable("3×3 é", "latin-1") == "3×3 é"
    assert writable("a ← b", "ascii") == "a <- b"
    assert writable("×", "no-such-encoding") == "x"
