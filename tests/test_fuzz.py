"""Fuzzing: random bytes, YAML-ish text, edited zoo specs and arbitrary spec
structures through the whole pipeline (load, analyse, every renderer, check,
sizes). Only the project's own errors may escape, each naming a line of the
file, and no example may take long.

The default run tries a few thousand examples (well under a minute). The long
run, 100,000 examples, is marked ``slow`` and skipped unless asked for:

    pytest tests/test_fuzz.py --run-slow -m slow
    CNNCALC_FUZZ_EXAMPLES=1000000 pytest tests/test_fuzz.py --run-slow -m slow   # longer still
"""

from __future__ import annotations

import contextlib
import os

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st
from specgen import chaos_specs, mutated_texts, valid_chains, yamlish_texts

from cnncalc.check import Options, check_text
from cnncalc.cli import main
from cnncalc.engine import run
from cnncalc.errors import CnnCalcError, SpecError
from cnncalc.loader import load
from cnncalc.render import FORMATS, renderer
from cnncalc.render.diagnostics import format_error
from cnncalc.sizes import solve
from cnncalc.source import decode

FILE = "fuzz.yaml"
MAX_LAYERS = 20_000  # an edited repeat count must not make an example slow
DEADLINE_MS = 5_000  # the bound for any input of 1 MB or less
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


def exercise(text: str) -> None:
    """Everything cnncalc does with a spec; only CnnCalcError may come out."""
    try:
        graph = load(text, FILE, max_layers=MAX_LAYERS)
        report = run(graph)
    except SpecError as error:
        assert_located(error, text)
        return
    for fmt in FORMATS:
        assert isinstance(renderer(fmt)(report), str)
    check_text(text, FILE, Options())
    with contextlib.suppress(CnnCalcError):
        solve(graph, report)


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


# --- the long run ------------------------------------------------------------------------


@pytest.mark.slow
@fuzz_settings(LONG_RUN)
@given(
    st.one_of(
        mutated_texts(),
        chaos_specs().map(lambda spec: yaml.safe_dump(spec, sort_keys=False)),
        yamlish_texts(),
        st.binary(max_size=4_000).map(lambda data: data.decode("utf-8", "replace")),
    )
)
def test_long_fuzz_run(text):
    exercise(text)
