"""One way from a spec to its report: source → graph → report.

Every command of the CLI goes through :func:`analyse` with one
:class:`Options`, and gets an :class:`Analysis` back: the spec's text (so an
error can quote its line), graph and report, or the error that stopped it.
Nothing here prints or exits; no error is changed after it is made.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .engine import run
from .errors import SourceLoc, SpecError
from .graph import Graph
from .limits import MAX_LAYERS
from .loader import load, load_data
from .record import record
from .report import Report
from .source import decode, quotable, read_bytes, read_spec


@record
class Options:
    """What a run is asked for: what to analyse, what to check, how to show it."""

    batch: int = 1
    dtype: str | None = None
    input: tuple[int, ...] | None = None  # replaces the spec's input (channels first)
    budgets: tuple[Any, ...] = ()  # check's Budget records (--max-params, ...)
    overrides: Mapping[str, Any] | None = None  # --set name=value
    max_layers: int = MAX_LAYERS
    allow_padding_drop: bool = False  # check: pass inexact layers whose floor drops only padding, no real input
    quiet: bool = False  # check: report no warnings
    ignore: frozenset[str] = frozenset()  # check: report no warnings with these codes
    fmt: str = "table"
    layout: str = "nchw"
    depth: str | None = None  # --depth: N, "all", or None (fold a long table)
    optimizer: str = "adam"  # --optimizer: the training-memory figures' optimizer state
    precision: str = "fp32"  # --precision: fp32, bf16-mixed or fp16-mixed training


DEFAULTS = Options()


@record(slots=False)
class Analysis:
    """One spec's way through the pipeline."""

    file: str  # the name messages show
    text: str | None = None  # what an error quotes (undecodable bytes: with replacement characters)
    graph: Graph | None = None
    report: Report | None = None
    error: SpecError | None = None


def analyse(spec: str, options: Options = DEFAULTS, *, every_error: bool = False) -> Analysis:
    """Read ``spec`` (a path, or - for standard input) and analyse it; never raises SpecError."""
    try:
        data, name = read_bytes(spec)
    except SpecError as error:
        return Analysis(spec, None, error=error)
    try:
        text = decode(data, name)
    except SpecError as error:
        return Analysis(name, quotable(data), error=error)
    return analyse_text(text, name, options, every_error=every_error)


def analyse_text(text: str, file: str, options: Options = DEFAULTS, *, every_error: bool = False) -> Analysis:
    """Analyse a spec's text; never raises SpecError. With ``every_error`` the
    loader collects every mistake it can before failing (``cnncalc check``)."""
    graph = None
    try:
        graph = load(
            text, file, overrides=options.overrides or {}, max_layers=options.max_layers, every_error=every_error
        )
        report = report_of(graph, options)
    except SpecError as error:
        return Analysis(file, text, graph, error=error)
    return Analysis(file, text, graph, report)


def report_of(graph: Graph, options: Options = DEFAULTS) -> Report:
    """A graph's report with what ``options`` ask for; raises SpecError."""
    return run(
        graph,
        batch=options.batch,
        dtype=options.dtype,
        input=options.input,
        optimizer=options.optimizer,
        precision=options.precision,
    )


Source = str | os.PathLike[str] | Mapping[str, Any]


def graph_of(source: Source, options: Options = DEFAULTS) -> Graph:
    """The API's forms of a spec (a path, YAML text or a dict) → its graph; raises
    SpecError (the library's way: ``cnncalc.analyze`` lets it through)."""
    overrides = options.overrides or {}
    if isinstance(source, Mapping):
        return load_data(source, overrides=overrides, max_layers=options.max_layers)
    # A PathLike is a path; pathlib itself is not imported (with urllib.parse and
    # ipaddress it costs about 4 ms of every start).
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source and _is_file(source)):
        text, name = read_spec(source)
        return load(text, name, overrides=overrides, max_layers=options.max_layers)
    if isinstance(source, str):
        return load(source, "<text>", overrides=overrides, max_layers=options.max_layers)
    raise TypeError(f"analyze() takes a path, YAML text or a dict, not {type(source).__name__}")


def _is_file(text: str) -> bool:
    return text == "-" or text.endswith((".yaml", ".yml")) or os.path.exists(text)


STACK_KEY = "layers: "  # an inline stack is read as this key's value, on line 1 as the user typed it


def analyse_stack(stack: str, file: str, options: Options = DEFAULTS) -> Analysis:
    """``compare``'s inline stack of layers in YAML flow syntax, at ``options.input``
    (3×224×224 if none); an error points into the stack as typed."""
    shape = options.input or (3, 224, 224)
    text = f"{STACK_KEY}{stack}\ninput: [{', '.join(map(str, shape))}]\n"
    analysis = analyse_text(text, file, options)
    error = analysis.error
    if error is None:
        return Analysis(file, stack, analysis.graph, analysis.report)
    *_, last = stack.split("\n")
    stack_lines = stack.count("\n") + 1
    loc = error.loc
    if loc.line == 1:
        loc = SourceLoc(loc.file, 1, max(loc.col - len(STACK_KEY), 1))
    elif loc.line > stack_lines and error.message.startswith("invalid YAML"):  # unclosed
        loc = SourceLoc(loc.file, stack_lines, len(last) + 1)
    if loc != error.loc:
        error = SpecError(error.message, loc, error.hint)
    return Analysis(file, stack if loc.line <= stack_lines else text, error=error)
