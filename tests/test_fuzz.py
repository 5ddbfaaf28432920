"""Fuzzing: random bytes, YAML-ish text, edited zoo specs (with YAML tags, numbers
in every notation, huge numbers and expressions among the edits), arbitrary spec
structures and specs built for the commands' slow paths through the whole pipeline
(load, analyse, every renderer, check with its fixes and its three formats, sizes,
compare, and the CLI with several specs). Only the project's own errors may escape,
each naming a line of the file; no text output holds a control character other than
a line break (a spec must not write to the terminal); no example may take long.

The default run tries a few thousand examples (well under a minute). The long
run, 100,000 examples, is marked ``slow`` and skipped unless asked for:

    pytest tests/test_fuzz.py --run-slow -m slow
    CNNCALC_FUZZ_EXAMPLES=1000000 pytest tests/test_fuzz.py --run-slow -m slow   # longer still
"""

from __future__ import annotations

import contextlib
import os
import tempfile

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st
from specgen import chaos_specs, command_path_texts, mutated_texts, valid_chains, yamlish_texts

from cnncalc.check import Options, check_text
from cnncalc.cli import main
from cnncalc.compare import compare
from cnncalc.engine import run
from cnncalc.errors import CnnCalcError, SpecError
from cnncalc.loader import load
from cnncalc.render import FORMATS, renderer
from cnncalc.render.check import RENDERERS as CHECK_RENDERERS
from cnncalc.render.compare import RENDERERS as COMPARE_RENDERERS
from cnncalc.render.diagnostics import format_error
from cnncalc.render.sizes import render_json as sizes_json, render_text as sizes_text
from cnncalc.sizes import solve
from cnncalc.source import decode

FILE = "fuzz.yaml"
MAX_LAYERS = 20_000  # an edited repeat count must not make an example slow
# The bound for any input of 1 MB or less. Wall time: a long run on a shared, loaded
# machine raises it (CNNCALC_FUZZ_DEADLINE_MS); bench/hostile.py measures the bound itself.
DEADLINE_MS = int(os.environ.get("CNNCALC_FUZZ_DEADLINE_MS", "5000"))
LONG_RUN = int(os.environ.get("CNNCALC_FUZZ_EXAMPLES", "100000"))


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=DEADLINE_MS,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        database=None,
    )


def assert_located(error: SpecError, text: str) -> None:
    """One line ``fuzz.yaml:line:col: error: message``, on a line of the file."""
    first, *rest = format_error(error, text).split("\n")
    assert first.startswith(f"{FILE}:{error.loc.line}:{error.loc.col}: error: "), first
    assert 1 <= error.loc.line <= len((text + "x").splitlines()), (first, text)  # YAML's line breaks
    assert error.loc.col >= 1, first
    assert error.message and "Traceback" not in first
    if rest:  # the quoted line and its caret
        assert len(rest) == 2 and rest[1].strip() == "^", rest


def assert_printable(text: str) -> None:
    """No control character but the line break: nothing a spec holds reaches the terminal."""
    if not text.replace("\n", "").isprintable():
        raise AssertionError(sorted({c for c in text if c != "\n" and not c.isprintable()}))


# A small spec of its own, for compare's alignment against each fuzzed one.
OTHER = "input: [3, 32, 32]\nlayers: [conv: {filters: 8, kernel: 3, padding: 1}, relu, maxpool: {kernel: 2}]\n"


def exercise(text: str) -> None:
    """Everything cnncalc does with a spec; only CnnCalcError may come out."""
    try:
        graph = load(text, FILE, max_layers=MAX_LAYERS)
        report = run(graph)
    except SpecError as error:
        assert_located(error, text)
        assert_printable(format_error(error, text))
        return
    for fmt in FORMATS:
        out = renderer(fmt)(report)
        assert isinstance(out, str)
        assert_printable(out)
    checked = check_text(text, FILE, Options())
    for render in CHECK_RENDERERS.values():
        assert_printable(render([checked]))
    with contextlib.suppress(CnnCalcError):
        axes = solve(graph, report)
        assert_printable(sizes_text(report, axes, near=100))
        assert_printable(sizes_json(report, axes))
    comparison = compare([report, run(load(OTHER, "other.yaml"))], [FILE, "other.yaml"])
    for render in COMPARE_RENDERERS.values():
        assert_printable(render(comparison))


def exercise_bytes(data: bytes) -> None:
    try:
        text = decode(data, FILE)
    except SpecError as error:
        assert str(error).startswith(f"{FILE}:")
        return
    exercise(text)


# --- the default run: a few thousand examples ------------------------------------------


@fuzz_settings(300)
@given(st.binary(max_size=2_000))
def test_random_bytes(data):
    exercise_bytes(data)


@fuzz_settings(500)
@given(yamlish_texts())
def test_yamlish_texts(text):
    exercise(text)


@fuzz_settings(1_200)
@given(mutated_texts())
def test_mutated_zoo_specs(text):
    exercise(text)


@fuzz_settings(800)
@given(chaos_specs())
def test_arbitrary_spec_structures(spec):
    exercise(yaml.safe_dump(spec, sort_keys=False))


@fuzz_settings(200)
@given(valid_chains())
def test_valid_chains_pass_every_command(spec):
    exercise(yaml.safe_dump(spec, sort_keys=False))


OPTIONS = st.lists(
    st.sampled_from(
        [
            ["--format", "json"],
            ["--format", "csv"],
            ["--format", "markdown"],
            ["--layout", "nhwc"],
            ["--depth", "0"],
            ["--batch", "3"],
            ["--dtype", "int8"],
            ["--input", "3x64x64"],
            ["--input", "1x7"],
            ["--input", "3x0x0"],
            ["--input", "abc"],
            ["--set", "width=0.5"],
            ["--set", "nope=1"],
            ["--max-layers", "10"],
        ]
    ),
    max_size=3,
).map(lambda groups: [arg for group in groups for arg in group])


@fuzz_settings(150)
@given(st.one_of(mutated_texts(), yamlish_texts()), OPTIONS)
def test_cli_summary_from_stdin(text, options):
    result = CliRunner().invoke(main, ["summary", "-", *options], input=text.encode("utf-8", "surrogatepass"))
    assert result.exit_code in (0, 2), (result.exception, result.stderr)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    if result.exit_code == 2 and not result.stderr.startswith(("Usage:", "Error:")):
        assert result.stderr.startswith("<stdin>:"), result.stderr


@fuzz_settings(150)
@given(command_path_texts())
def test_command_paths(text):
    exercise(text)


@fuzz_settings(60)
@given(
    st.lists(st.one_of(mutated_texts(), command_path_texts(), yamlish_texts()), min_size=2, max_size=4),
    st.sampled_from(["text", "github", "json"]),
)
def test_cli_check_of_several_specs(texts, fmt):
    """check reports each spec it is given, whatever the others do; the exit code is the worst."""
    with tempfile.TemporaryDirectory() as directory:
        names = [os.path.join(directory, f"spec{i}.yaml") for i in range(len(texts))]
        for name, text in zip(names, texts):
            with open(name, "w", encoding="utf-8", errors="surrogatepass") as file:
                file.write(text)
        result = CliRunner().invoke(main, ["check", *names, "--format", fmt, "--max-layers", str(MAX_LAYERS)])
    assert result.exit_code in (0, 1, 2), (result.exception, result.stderr)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert f"checked {len(names)} specs" in result.stdout
    for name in names if fmt == "json" else ():
        assert f'"file": "{name}"' in result.stdout
    assert_printable(result.stdout)


# --- the long run ------------------------------------------------------------------------


@pytest.mark.slow
@fuzz_settings(LONG_RUN)
@given(
    st.one_of(
        mutated_texts(),
        chaos_specs().map(lambda spec: yaml.safe_dump(spec, sort_keys=False)),
        yamlish_texts(),
        command_path_texts(),
        st.binary(max_size=4_000).map(lambda data: data.decode("utf-8", "replace")),
    )
)
def test_long_fuzz_run(text):
    exercise(text)
