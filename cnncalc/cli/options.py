"""The CLI's options shared by several commands, and the one options object of a
run (``options_of``) made from them; what a wrong value says (click's usage
errors, exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import SpecError
from ..limits import DTYPE_BYTES
from ..memory import OPTIMIZERS, PRECISIONS

if TYPE_CHECKING:
    from ..pipeline import Options

F = TypeVar("F", bound=Callable[..., Any])


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


BATCH = click.option("--batch", type=click.IntRange(min=1), default=1, show_default=True, help="Batch size.")
DTYPE = click.option(
    "--dtype",
    type=click.Choice(list(DTYPE_BYTES)),
    help="Element type for memory (default: the spec's, else float32).",
)


SET = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a spec argument (repeatable).")


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Keep a training-memory option for ``options_of`` (not a parameter of every command)."""
    ctx.meta[f"cnncalc.{param.name}"] = value


TRAINING = [
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
MAX_LAYERS_OPTION = click.option(
    "--max-layers",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse specs that expand to more layers than this (default 100,000).",
)


def _known_codes(ctx: click.Context, param: click.Parameter, codes: tuple[str, ...]) -> tuple[str, ...]:
    from ..errors import WARNINGS

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
        BATCH,
        DTYPE,
        click.option("--input", "input_text", metavar="CxHxW", help="Override the spec's input, e.g. 3x160x160."),
        SET,
        MAX_LAYERS_OPTION,
        *TRAINING,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def budget_options(function: F) -> F:
    """``--max-params``, ``--max-macs``, ...: one per metric that can be budgeted."""
    from ..metrics import BUDGETS, BYTES

    for metric in reversed(BUDGETS.values()):
        if metric.unit == BYTES:
            metavar, examples = "BYTES", "100MiB, 1GB"
        else:
            metavar, examples = "N", "5M, 1.5G, 250k"
        verb = "exceed" if metric.label.endswith("s") else "exceeds"
        help_text = f"Fail when the {metric.label} {verb} {metavar} ({examples})."
        function = click.option(metric.option, f"limit_{metric.key}", metavar=metavar, help=help_text)(function)
    return function


def options_of(
    batch: int, dtype: str | None, input_text: str | None, sets: tuple[str, ...], max_layers: int | None, **more: Any
) -> Options:
    """The one options object of a run, from the command line's."""
    from ..loader import MAX_LAYERS  # read at run time: tests lower it
    from ..pipeline import Options

    shape = _input_shape(input_text)
    meta = click.get_current_context().meta
    more.setdefault("optimizer", meta.get("cnncalc.optimizer", "adam"))
    more.setdefault("precision", meta.get("cnncalc.precision", "fp32"))
    return Options(batch, dtype, shape, overrides=parse_set(sets), max_layers=max_layers or MAX_LAYERS, **more)


def _input_shape(input_text: str | None) -> tuple[int, ...] | None:
    from ..loader import parse_input

    try:
        return parse_input(input_text) if input_text else None
    except SpecError as error:
        raise click.BadParameter(error.message, param_hint="--input") from None


def chart_names(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    """``--chart params`` or ``--chart params,memory``: metrics by their table column."""
    from ..render.draw import CHARTS

    if value is None:
        return ()
    names = tuple(name.strip().lower() for name in value.split(","))
    for name in names:
        if name not in CHARTS:
            raise click.BadParameter(f"'{name}' is not a chart; the charts are {', '.join(CHARTS)}")
    return names
