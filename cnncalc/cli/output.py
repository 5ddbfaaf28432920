"""The CLI's output: every line it writes goes through ``echo`` (standard
output or error, in any encoding, a reader that left or a full disk handled),
every error through ``fail`` (one located line, exit 2), and a command's
report through ``report_of``, the one error path."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ..errors import SourceLoc, SpecError

if TYPE_CHECKING:
    from ..pipeline import Analysis
    from ..report import Report


def echo(text: str, *, err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    """``click.echo``, writable in any output encoding: symbols the stream cannot
    encode are spelt in ASCII (× as x, │ as |), anything else left as '?'."""
    from ..render.symbols import writable

    stream = sys.stderr if err else sys.stdout
    try:
        click.echo(writable(text, getattr(stream, "encoding", None)), err=err, nl=nl, color=color)
    except BrokenPipeError:  # the reader left (`| head -1`): what it read is right, so exit 0
        drop_output(0)
    except OSError as error:  # a full disk, /dev/full: the output is incomplete
        drop_output(2, f"cnncalc: cannot write to {'standard error' if err else 'standard output'}: {error.strerror}")


def drop_output(code: int, message: str = "") -> NoReturn:
    """Exit without writing more: what is still buffered for standard output goes
    to /dev/null, so Python's own flush at exit cannot raise again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # a test's buffer has no file to drop
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if message:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
    sys.exit(code)


def writes_symbols(stream: Any) -> bool:
    """Whether ``stream`` can encode the table's symbols (│, ×, bars, ...)."""
    from ..render.symbols import encodes

    return encodes(getattr(stream, "encoding", None))


def fail(error: SpecError, text: str | None = None) -> NoReturn:
    """Print one located error (plus the source line and a caret) and exit 2."""
    from ..render.diagnostics import format_error

    echo(format_error(error, text), err=True)
    sys.exit(2)


def report_of(analysis: Analysis) -> Report:
    """The analysis's report, or its error printed and exit 2: the one error path."""
    if analysis.error is not None or analysis.report is None:
        fail(analysis.error or SpecError("no report"), analysis.text)
    if _KEPT is not None:
        _KEPT.append(analysis)
    return analysis.report


# The console script's analyses, kept to the end of the process (see process.console): freed
# there all at once by the operating system, not object by object when a command returns.
_KEPT: list[Analysis] | None = None


def keep_analyses() -> None:
    """Keep every analysis to the end of the process (the console script: see process.console)."""
    global _KEPT
    _KEPT = []


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
