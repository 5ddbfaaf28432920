"""The command line. The only module that reads files, prints or exits.

Exit codes: 0 fine, 1 a check failed, 2 unusable input or usage.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from . import __version__
from .errors import SourceLoc, SpecError
from .limits import DTYPE_BYTES, MAX_SIZE
from .memory import OPTIMIZERS, PRECISIONS
from .metrics import VIEWS
from .render import FORMATS

if TYPE_CHECKING:
    from .check import FileResult
    from .pipeline import Analysis, Options
    from .report import Report

F = TypeVar("F", bound=Callable[..., Any])


def echo(text: str, *, err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    """``click.echo``, writable in any output encoding: symbols the stream cannot
    encode are spelt in ASCII (× as x, │ as |), anything else left as '?'."""
    from .render.symbols import writable

    stream = sys.stderr if err else sys.stdout
    try:
        click.echo(writable(text, getattr(stream, "encoding", None)), err=err, nl=nl, color=color)
    except BrokenPipeError:  # the reader left (`| head -1`): what it read is right, so exit 0
        _drop_output(0)
    except OSError as error:  # a full disk, /dev/full: the output is incomplete
        _drop_output(2, f"cnncalc: cannot write to {'standard error' if err else 'standard output'}: {error.strerror}")


def _drop_output(code: int, message: str = "") -> NoReturn:
    """Exit without writing more: what is still buffered for standard output goes
    to /dev/null, so Python's own flush at exit cannot raise again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # a test's buffer has no file to drop
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if message:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
    sys.exit(code)


def _writes_symbols(stream: Any) -> bool:
    """Whether ``stream`` can encode the table's symbols (│, ×, bars, ...)."""
    from .render.symbols import encodes

    return encodes(getattr(stream, "encoding", None))


def fail(error: SpecError, text: str | None = None) -> NoReturn:
    """Print one located error (plus the source line and a caret) and exit 2."""
    from .render.diagnostics import format_error

    echo(format_error(error, text), err=True)
    sys.exit(2)


def report_of(analysis: Analysis) -> Report:
    """The analysis's report, or its error printed and exit 2: the one error path."""
    if analysis.error is not None or analysis.report is None:
        fail(analysis.error or SpecError("no report"), analysis.text)
    if _KEPT is not None:
        _KEPT.append(analysis)
    return analysis.report


# The console script's analyses, kept to the end of the process (see entry): freed
# there all at once by the operating system, not object by object when a command returns.
_KEPT: list[Analysis] | None = None


def parse_set(values: tuple[str, ...]) -> dict[str, Any]:
    """``--set width=0.5`` pairs → {'width': 0.5} (ints, floats, true/false, text)."""
    result: dict[str, Any] = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{item}' is not name=value", param_hint="--set")
        result[name.strip()] = _scalar(raw.strip())
    return result


def _scalar(raw: str) -> Any:
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for convert in (int, float):
        try:
            return convert(raw)
        except ValueError:
            pass
    return raw


_BATCH = click.option("--batch", type=click.IntRange(min=1), default=1, show_default=True, help="Batch size.")
_DTYPE = click.option(
    "--dtype",
    type=click.Choice(list(DTYPE_BYTES)),
    help="Element type for memory (default: the spec's, else float32).",
)


_SET = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a spec argument (repeatable).")


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep a training-memory option for ``_options`` (not a parameter of every command)."""
    ctx.meta[f"cnncalc.{param.name}"] = value


_TRAINING = [
    click.option(
        "--optimizer",
        type=click.Choice(OPTIMIZERS),
        default="adam",
        show_default=True,
        expose_value=False,
        callback=_remember,
        help="Optimizer state in the training-memory figures (sgd: none; momentum: 1 buffer; adam, adamw: 2).",
    ),
    click.option(
        "--precision",
        type=click.Choice(PRECISIONS),
        default="fp32",
        show_default=True,
        expose_value=False,
        callback=_remember,
        help="Training precision: mixed keeps 2-byte activations and weight copies, fp32 master weights.",
    ),
]
_MAX_LAYERS = click.option(
    "--max-layers",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse specs that expand to more layers than this (default 100,000).",
)


def _known_codes(ctx: click.Context, param: click.Parameter, codes: tuple[str, ...]) -> tuple[str, ...]:
    from .errors import WARNINGS

    for code in codes:
        if code.upper() not in WARNINGS:
            listed = ", ".join(f"{c} ({about})" for c, about in WARNINGS.items())
            raise click.BadParameter(f"'{code}' is not a warning code; the codes are {listed}")
    return tuple(code.upper() for code in codes)


def warning_options(function: F) -> F:
    """``--quiet`` and ``--ignore CODE``: warnings can be silenced, all or by code (docs/errors.md)."""
    function = click.option(
        "--ignore", "ignore", multiple=True, metavar="CODE", callback=_known_codes,
        help="Do not print warnings with this code, e.g. W002 (repeatable; see docs/errors.md).",
    )(function)  # fmt: skip
    return click.option("--quiet", "-q", is_flag=True, help="Print no warnings or notes.")(function)


def spec_options(function: F) -> F:
    """Options shared by the commands that analyse a spec."""
    options = [
        _BATCH,
        _DTYPE,
        click.option("--input", "input_text", metavar="CxHxW", help="Override the spec's input, e.g. 3x160x160."),
        _SET,
        _MAX_LAYERS,
        *_TRAINING,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def budget_options(function: F) -> F:
    """``--max-params``, ``--max-macs``, ...: one per metric that can be budgeted."""
    from .metrics import BUDGETS, BYTES

    for metric in reversed(BUDGETS.values()):
        if metric.unit == BYTES:
            metavar, examples = "BYTES", "100MiB, 1GB"
        else:
            metavar, examples = "N", "5M, 1.5G, 250k"
        verb = "exceed" if metric.label.endswith("s") else "exceeds"
        help_text = f"Fail when the {metric.label} {verb} {metavar} ({examples})."
        function = click.option(metric.option, f"limit_{metric.key}", metavar=metavar, help=help_text)(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, package_name="cnncalc")  # not importlib.metadata: 25 ms
def main() -> None:
    """Shapes, params, MACs, memory and receptive field of a CNN from a YAML spec."""


@main.command()
@click.argument("spec")
@spec_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--layout",
    type=click.Choice(["nchw", "nhwc"]),
    default="nchw",
    show_default=True,
    help="Show shapes channels first, or Keras-style (None, H, W, C).",
)
@click.option(
    "--depth",
    default=None,
    metavar="N|all",
    help="Fold rows nested deeper than N into one row per block (default: all, folded past 300 rows).",
)
@click.option(
    "--width", type=click.IntRange(min=60), default=None, help="Table width (default: $COLUMNS, else the terminal's)."
)
@click.option(
    "--ascii", "ascii_only", is_flag=True, help="Draw the table in ASCII (automatic where the output needs it)."
)
@click.option(
    "--view", type=click.Choice(VIEWS), default="default", show_default=True,
    help="The table's figure columns: memory shows what autograd saves of each layer instead of MACs.",
)  # fmt: skip
@warning_options
def summary(
    spec: str,
    batch: int,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    fmt: str,
    layout: str,
    depth: str | None,
    width: int | None,
    quiet: bool,
    ignore: tuple[str, ...],
    ascii_only: bool,
    view: str,
) -> None:
    """Print the per-layer summary of SPEC (a file, or - for standard input)."""
    from .errors import shown
    from .pipeline import analyse
    from .render import document
    from .render.diagnostics import format_warning

    options = _options(batch, dtype, input_text, sets, max_layers, fmt=fmt, layout=layout, depth=depth)
    report = report_of(analyse(spec, options))
    for warning in shown(report.warnings, ignore, quiet):
        echo(format_warning(warning), err=True)
    tty = sys.stdout.isatty()
    dumb = os.environ.get("TERM") == "dumb"  # a terminal that draws no colour: plain text
    try:
        note, pieces = document(
            report,
            fmt,
            layout=layout,
            depth=depth,
            width=width or _columns(tty),
            color=tty and not dumb and "NO_COLOR" not in os.environ,
            ascii=ascii_only or not _writes_symbols(sys.stdout),
            view=view,
        )
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--depth") from None
    if note and not quiet:
        echo(note, err=True)
    # JSON escapes every control character, so it holds no colour codes for
    # click to strip when piped: color=True spares a scan of the whole text.
    color = True if fmt == "json" else None
    for piece in pieces:
        echo(piece, nl=False, color=color)


def _columns(tty: bool) -> int:
    """The table's width: $COLUMNS when set, else the terminal's, else 160."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if tty:
        import shutil  # 2 ms of bz2 and lzma imports: only for a terminal

        return shutil.get_terminal_size((160, 24)).columns
    return 160


def _options(
    batch: int, dtype: str | None, input_text: str | None, sets: tuple[str, ...], max_layers: int | None, **more: Any
) -> Options:
    """The one options object of a run, from the command line's."""
    from .loader import MAX_LAYERS  # read at run time: tests lower it
    from .pipeline import Options

    shape = _input_shape(input_text)
    meta = click.get_current_context().meta
    more.setdefault("optimizer", meta.get("cnncalc.optimizer", "adam"))
    more.setdefault("precision", meta.get("cnncalc.precision", "fp32"))
    return Options(batch, dtype, shape, overrides=parse_set(sets), max_layers=max_layers or MAX_LAYERS, **more)


def _input_shape(input_text: str | None) -> tuple[int, ...] | None:
    from .loader import parse_input

    try:
        return parse_input(input_text) if input_text else None
    except SpecError as error:
        raise click.BadParameter(error.message, param_hint="--input") from None


def _spec_files(paths: tuple[str, ...]) -> list[str]:
    """Each path, a directory standing for every ``*.yaml`` file in it, sorted (not its
    subdirectories: ``specs/`` is the zoo, ``specs/notes/`` another one to name)."""
    files: list[str] = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            found = sorted(os.path.join(path, name) for name in os.listdir(path) if name.endswith(".yaml"))
            files.extend(f for f in found if os.path.isfile(f))
            if not found:
                files.append(path)  # read_spec says what is wrong with it
        else:
            files.append(path)
    return files


def _checked(spec: str, options: Options) -> FileResult:
    """One spec of ``check``'s list, checked. Whatever stops it, even a failure of
    cnncalc itself, is this spec's error: the specs after it are checked and
    reported all the same, and the exit code is the worst (2)."""
    from .check import FileResult, check_analysis
    from .pipeline import analyse

    if os.path.isdir(spec):
        error = SpecError(
            "the directory holds no *.yaml file", SourceLoc(spec, 0, 0), "give specs or a directory of them"
        )
        return FileResult(spec, None, error)
    try:
        return check_analysis(analyse(spec, options, every_error=True), options)
    except Exception as crash:  # noqa: BLE001  (a bug in cnncalc: said in one line, never a traceback)
        what = f"{type(crash).__name__}: {crash}"
        what = what if len(what) <= 200 else what[:200] + "..."
        hint = "this is a bug in cnncalc; please report it with this spec"
        return FileResult(spec, None, SpecError(f"cnncalc failed on this spec ({what})", SourceLoc(spec, 0, 0), hint))


@main.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text", show_default=True,
    help="github: GitHub Actions annotations.",
)  # fmt: skip
@budget_options
@_BATCH
@_DTYPE
@click.option("--input", "input_text", metavar="CxHxW", help="Check every spec at this input instead of its own.")
@_SET
@_MAX_LAYERS
@_TRAINING[0]
@_TRAINING[1]
@click.option(
    "--allow-padding-drop",
    is_flag=True,
    help="Pass inexact layers whose floor drops only padding, no real input (torchvision's 3x3 stride-2 convs).",
)
@warning_options
def check(
    specs: tuple[str, ...],
    fmt: str,
    batch: int,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    allow_padding_drop: bool,
    quiet: bool,
    ignore: tuple[str, ...],
    **limits: str | None,
) -> None:
    """Check SPECs (files, or directories: every *.yaml in them) for CI: exit 1 when a layer's size division leaves a remainder
    (and the layer does not say allow_inexact: true) or a budget is exceeded,
    2 when a spec cannot be analysed (that wins over 1), else 0. Every spec is
    checked and every problem reported, each with its fixes."""
    from .check import Budget, exit_code, parse_amount
    from .metrics import BUDGETS, BYTES
    from .render.check import RENDERERS

    budgets = []
    for name, metric in BUDGETS.items():
        written = limits.get(f"limit_{metric.key}")
        if written is not None:
            try:
                budgets.append(Budget(name, parse_amount(written, in_bytes=metric.unit == BYTES), written))
            except ValueError as error:
                raise click.BadParameter(str(error), param_hint=metric.option) from None
    options = _options(
        batch,
        dtype,
        input_text,
        sets,
        max_layers,
        budgets=tuple(budgets),
        allow_padding_drop=allow_padding_drop,
        quiet=quiet,
        ignore=frozenset(ignore),
        fmt=fmt,
    )
    results = [_checked(spec, options) for spec in _spec_files(specs)]
    echo(RENDERERS[fmt](results), nl=False)
    sys.exit(exit_code(results))


@main.command()
@click.argument("spec")
@spec_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--near", type=click.IntRange(min=1, max=MAX_SIZE), metavar="N", help="Name the fitting sizes closest to N."
)
def sizes(
    spec: str,
    batch: int,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    fmt: str,
    near: int | None,
) -> None:
    """Print, per spatial axis, the input sizes of SPEC for which every layer is
    exact: offset + step·k from the smallest, solved layer by layer."""
    from .pipeline import analyse
    from .render.sizes import render_json, render_text
    from .sizes import SizesError, solve

    analysis = analyse(spec, _options(batch, dtype, input_text, sets, max_layers, fmt=fmt))
    report = report_of(analysis)
    assert analysis.graph is not None  # a report has its graph
    try:
        axes = solve(analysis.graph, report)
    except SpecError as error:
        fail(error, analysis.text)
    except SizesError as error:
        fail(SpecError(str(error), SourceLoc(spec, 1, 1)), analysis.text)
    echo((render_json if fmt == "json" else render_text)(report, axes, near), nl=False)


@main.command()
@click.argument("spec")
@click.option(
    "--memory", "memory_text", required=True, metavar="BYTES", help="The budget: 24GiB, 16GB, 80GiB or bytes."
)
@click.option("--inference", is_flag=True, help="Fit the inference peak plus the parameters, not a training step.")
@_DTYPE
@click.option("--input", "input_text", metavar="CxHxW", help="Override the spec's input, e.g. 3x160x160.")
@_SET
@_MAX_LAYERS
@_TRAINING[0]
@_TRAINING[1]
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@warning_options
def fit(
    spec: str,
    memory_text: str,
    inference: bool,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    fmt: str,
    quiet: bool,
    ignore: tuple[str, ...],
) -> None:
    """Print the largest batch whose training peak (with --inference: inference peak
    plus parameters) fits in --memory, solved from the memory model, with the
    figures at that batch and what dominates them. Exit 1 when not even batch 1 fits."""
    from .check import parse_amount
    from .errors import shown
    from .largest_batch import largest_batch
    from .pipeline import analyse
    from .render.largest_batch import RENDERERS

    try:
        budget = parse_amount(memory_text, in_bytes=True)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--memory") from None
    if budget < 1:
        raise click.BadParameter(
            f"'{memory_text}' is no memory at all; give 24GiB, 16GB or a number of bytes", param_hint="--memory"
        )
    options = _options(1, dtype, input_text, sets, max_layers, fmt=fmt)
    analysis = analyse(spec, options)
    report = report_of(analysis)
    assert analysis.graph is not None  # a report has its graph
    for warning in shown(report.warnings, ignore, quiet):
        echo(str(warning), err=True)
    answer = largest_batch(
        analysis.graph, budget, inference=inference, dtype=dtype, input=options.input,
        optimizer=options.optimizer, precision=options.precision,
    )  # fmt: skip
    echo(RENDERERS[fmt](answer), nl=False)
    sys.exit(0 if answer.batch else 1)


@main.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC SPEC [SPEC...]")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "markdown", "html"]), default="table", show_default=True,
    help="html: one self-contained page (redirect it to a file).",
)  # fmt: skip
@click.option(
    "--input", "input_text", metavar="CxHxW",
    help="Input for every spec (inline stacks default to 3x224x224).",
)  # fmt: skip
@_BATCH
@_DTYPE
@click.option(
    "--set", "sets", multiple=True, metavar="NAME=VALUE",
    help="Override a spec argument on every side (repeatable); one side: SPEC@NAME=VALUE[,NAME=VALUE].",
)  # fmt: skip
@_MAX_LAYERS
@_TRAINING[0]
@_TRAINING[1]
@click.option("--chart", is_flag=True, help="Draw the totals side by side as an SVG bar chart instead.")
@click.option("-o", "--output", default="-", metavar="FILE", help="Write to FILE (default: standard output).")
def compare(
    specs: tuple[str, ...],
    fmt: str,
    input_text: str | None,
    batch: int,
    dtype: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    chart: bool,
    output: str,
) -> None:
    """Compare specs side by side: params, MACs, memory, receptive field, layers;
    each as a ratio to the first, then where the layers differ. A SPEC that is
    not a file and starts with '[' is an inline stack of layers in YAML flow
    syntax, e.g. '[conv: {filters: 64, kernel: 7, padding: 3}, relu]'. A SPEC
    may end in @NAME=VALUE[,NAME=VALUE] to set its arguments on that side only:
    two widths of one spec are 'net.yaml@width=0.5 net.yaml@width=0.75'."""
    from .compare import LABELS, compare as compare_reports
    from .pipeline import analyse, analyse_stack
    from .record import replace as replace_record
    from .render.compare import RENDERERS

    if len(specs) < 2:
        raise click.UsageError("compare needs at least two specs")
    if len(specs) > len(LABELS):
        raise click.UsageError(f"compare takes at most {len(LABELS)} specs")
    options = _options(batch, dtype, input_text, sets, max_layers, fmt=fmt)
    reports, sources = [], []
    for label, spec in zip(LABELS, specs):
        if spec.lstrip().startswith("[") and not os.path.exists(spec):  # an inline stack
            reports.append(report_of(analyse_stack(spec, f"<stack {label}>", options)))
            sources.append(spec)
            continue
        path, side = _side_settings(spec)
        overrides = {**(options.overrides or {}), **side}
        analysis = analyse(path, replace_record(options, overrides=overrides))
        reports.append(report_of(analysis))
        sources.append(analysis.file + spec[len(path) :])  # the side's settings stay in its name
    if chart:
        from .render.draw import compare_chart_svg

        names = [f"{label}: {report.name or source}" for label, report, source in zip(LABELS, reports, sources)]
        write_output(output, compare_chart_svg(reports, names))
        return
    write_output(output, RENDERERS[fmt](compare_reports(reports, sources)))


def _side_settings(spec: str) -> tuple[str, dict[str, Any]]:
    """``net.yaml@width=0.5,depth=2`` → ('net.yaml', {'width': 0.5, 'depth': 2}); a
    path that exists as written is a path, even with an '@' in it."""
    path, at, settings = spec.rpartition("@")
    if not at or os.path.exists(spec) or "=" not in settings:
        return spec, {}
    return path, parse_set(tuple(settings.split(",")))


def _chart_names(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    """``--chart params`` or ``--chart params,memory``: metrics by their table column."""
    from .render.draw import CHARTS

    if value is None:
        return ()
    names = tuple(name.strip().lower() for name in value.split(","))
    for name in names:
        if name not in CHARTS:
            raise click.BadParameter(f"'{name}' is not a chart; the charts are {', '.join(CHARTS)}")
    return names


@main.command()
@click.argument("spec")
@spec_options
@click.option(
    "-o", "--output", default="-", metavar="FILE.svg", help="Where to write the SVG (default: standard output)."
)
@click.option("--style", type=click.Choice(["3d", "flat"]), default="3d", show_default=True,
              help="3d: NN-SVG blocks scaled by the tensor's size; flat: plain boxes.")  # fmt: skip
@click.option(
    "--chart", "charts", metavar="METRIC[,METRIC]", callback=_chart_names,
    help="Per-layer bars of params, macs or memory (several side by side: params,memory) instead of the diagram.",
)  # fmt: skip
@click.option(
    "--depth", default=None, metavar="N|all",
    help="Fold blocks nested deeper than N into one box (default: as deep as fits 40 tensors).",
)  # fmt: skip
@click.option("--layout", type=click.Choice(["nchw", "nhwc"]), default="nchw", show_default=True,
              help="Write shapes channels first, or Keras-style (None, H, W, C).")  # fmt: skip
@warning_options
def draw(
    spec: str,
    batch: int,
    dtype: str | None,
    input_text: str | None,
    sets: tuple[str, ...],
    max_layers: int | None,
    output: str,
    style: str,
    charts: tuple[str, ...],
    depth: str | None,
    layout: str,
    quiet: bool,
    ignore: tuple[str, ...],
) -> None:
    """Draw SPEC as a standalone SVG: the architecture (blocks, branches side by
    side, skip connections as arcs) or, with --chart, its cost per layer."""
    from .errors import shown
    from .pipeline import analyse
    from .render import fold_levels
    from .render.draw import chart_svg, diagram_svg

    report = report_of(analyse(spec, _options(batch, dtype, input_text, sets, max_layers, layout=layout, depth=depth)))
    for warning in shown(report.warnings, ignore, quiet):
        echo(str(warning), err=True)
    try:
        levels, note = fold_levels(report, depth, fold_long=bool(charts))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--depth") from None
    if note and not quiet:
        echo(note, err=True)
    if charts:
        picture = chart_svg(report, charts, depth=levels)
    else:
        picture = diagram_svg(report, style, "auto" if depth is None else levels, layout)
    write_output(output, picture)


def write_output(path: str, text: str) -> None:
    """``text`` to the file ``path`` (- for standard output), or one line and exit 2."""
    if path == "-":
        echo(text, nl=False)
        return
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        fail(
            SpecError(
                f"cannot write the output: {reason}",
                SourceLoc(path, 0, 0),
                "give -o a file in a folder you can write to",
            )
        )


@main.command()
@click.argument("type_name", required=False, metavar="[TYPE]")
def layers(type_name: str | None) -> None:
    """List every layer type with a one-line description, or print one TYPE in
    full: its arguments (type, default, valid range, meaning), its formulas and
    an example. The full format: docs/spec-format.md."""
    from . import layers as _registered  # noqa: F401  (registers the built-in types)
    from .errors import did_you_mean
    from .registry import REGISTRY
    from .render.layers import layer_detail, layer_list

    if type_name is None:
        echo(layer_list(), nl=False)
        return
    if REGISTRY.get(type_name) is None:
        hint = did_you_mean(type_name, REGISTRY.names(), "cnncalc layers lists them all")
        raise click.BadParameter(f"'{type_name}' is not a layer type; {hint}", param_hint="TYPE")
    echo(layer_detail(type_name), nl=False)


@main.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the spec format, generated from
    the layer registry. Point an editor at it for completion and validation."""
    import json

    from .schema import spec_schema

    echo(json.dumps(spec_schema(), indent=2, ensure_ascii=False))


def entry() -> None:
    """The console script: ``main`` without the cyclic garbage collector. A run
    makes a few objects per layer and no reference cycles, and the process ends
    with the command; the collector would only scan those objects again and
    again (a fifth of the time on a 100,000-layer spec)."""
    gc.disable()
    if sys.stdout is None:  # started with standard output closed (`>&-`): nowhere to answer
        if sys.stderr is not None:
            sys.stderr.write("cnncalc: standard output is closed; nothing can be written\n")
        sys.exit(2)
    main()


def console() -> NoReturn:
    """The console script and ``python -m cnncalc``: :func:`entry`, then the
    process ends once its output is flushed, without the interpreter's teardown.
    That frees every module and object one at a time, which takes longer than
    analysing VGG16 (about 5 ms; 0.1 s after a 100,000-layer report, whose
    analysis is kept to the end for it) and does nothing a finished command needs."""
    global _KEPT
    _KEPT = []
    try:
        entry()
        code: Any = 0
    except SystemExit as done:
        code = done.code
    _leave(code)


def _leave(code: Any) -> NoReturn:
    """Flush what is left, then end with ``code`` (as ``sys.exit`` reads it)."""
    if code is not None and not isinstance(code, int):  # as sys.exit("message") does
        if sys.stderr is not None:
            sys.stderr.write(f"{code}\n")
        code = 1
    try:
        if sys.stdout is not None:  # None: started with it closed
            sys.stdout.flush()
    except BrokenPipeError:  # the reader left: as echo() does
        _drop_output(0)
    except OSError as error:
        _drop_output(2, f"cnncalc: cannot write to standard output: {error.strerror}")
    except ValueError:  # closed by the command: nothing left to write
        pass
    with contextlib.suppress(OSError, ValueError, AttributeError):  # AttributeError: no standard error
        sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    console()
