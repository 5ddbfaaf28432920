"""Errors and warnings that carry a place in the spec file.

Every message the user sees names ``file:line:col``; the CLI turns a
:class:`SpecError` into one line (plus the source line and a caret) and exit 2.
"""

from __future__ import annotations

from collections.abc import Iterable

from .record import record


@record
class SourceLoc:
    """A 1-based position in a spec file."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


NOWHERE = SourceLoc("<spec>", 0, 0)


class CnnCalcError(Exception):
    """Base of every error cnncalc raises on purpose."""


class SpecError(CnnCalcError):
    """The spec cannot be analysed: what is wrong, where, and how to fix it."""

    def __init__(self, message: str, loc: SourceLoc = NOWHERE, hint: str = "") -> None:
        message, hint = _one_line(message), _one_line(hint)  # text quoted from the spec may hold newlines
        super().__init__(message)
        self.message = message
        self.loc = loc
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.loc}: error: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text


class SpecErrors(SpecError):
    """Every mistake found in one spec (``load(..., every_error=True)``), in the
    order of the file. It reads as the first of them; it cannot be changed."""

    errors: tuple[SpecError, ...]

    def __init__(self, errors: tuple[SpecError, ...]) -> None:
        first = errors[0]
        super().__init__(first.message, first.loc, first.hint)
        object.__setattr__(self, "errors", tuple(errors))
        object.__setattr__(self, "_frozen", True)

    def __setattr__(self, name: str, value: object) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"SpecErrors is frozen: '{name}' cannot be set")
        super().__setattr__(name, value)


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n") if "\n" in text or "\r" in text else text


class LayerError(CnnCalcError):
    """Raised by a layer rule; ``arg`` names the argument at fault so the engine
    can point at it. The engine turns it into a located :class:`SpecError`."""

    def __init__(self, message: str, arg: str | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.arg = arg
        self.hint = hint


@record
class Diagnostic:
    """A warning about a valid but suspicious spec."""

    message: str
    loc: SourceLoc
    level: str = "warning"

    def __str__(self) -> str:
        return f"{self.loc}: {self.level}: {self.message}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest known word, or listing the choices."""
    import difflib  # only when a spec is wrong: not on every start

    options = sorted(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if options and len(options) <= 12:
        return "expected one of: " + ", ".join(options)
    return ""
