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
        """``file:line:col``; just ``file`` for the file as a whole (line 0: no place in it)."""
        return f"{self.file}:{self.line}:{self.col}" if self.line > 0 else self.file


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


# Every warning's code and what it is about (docs/errors.md lists them): ``--ignore CODE``
# silences one, ``--quiet`` all. A code is never reused for another warning.
JUMPS = "W001"
SAME_EVEN = "W002"
CHANNELS_LAST = "W003"
DEAD = "W004"
WARNINGS: dict[str, str] = {
    JUMPS: "merged branches with different jumps: the receptive field shown is the largest",
    SAME_EVEN: "'padding: same' with an even kernel pads one side more than the other",
    CHANNELS_LAST: "the input looks channels last ([32, 32, 3]); cnncalc reads it channels first",
    DEAD: "a layer whose output reaches no output of the network (a dead layer); its figures still count",
}


@record
class Diagnostic:
    """A warning about a valid but suspicious spec."""

    message: str
    loc: SourceLoc
    level: str = "warning"
    code: str = ""  # one of WARNINGS

    def __str__(self) -> str:
        text = f"{self.loc}: {self.level}: {self.message}"
        return f"{text} [{self.code}]" if self.code else text


def shown(warnings: Iterable[Diagnostic], ignore: Iterable[str] = (), quiet: bool = False) -> tuple[Diagnostic, ...]:
    """The warnings left once ``--quiet`` (none) or ``--ignore CODE`` (not those) has spoken."""
    if quiet:
        return ()
    ignored = {code.upper() for code in ignore}
    return tuple(w for w in warnings if w.code not in ignored)


def did_you_mean(word: str, choices: Iterable[str], many: str = "") -> str:
    """A hint naming the known word that is close (a typo: few edits, or one word the
    start of the other), else listing the choices, or saying ``many`` instead of a
    list longer than 12. A far word is no suggestion: 'reshape' is not 'repeat'."""
    options = sorted(set(choices))
    close = _closest(word, options)
    if close is not None:
        return f"did you mean '{close}'?"
    if options and (len(options) <= 12 or not many):
        return "expected one of: " + ", ".join(options)
    return many


def _closest(word: str, options: list[str]) -> str | None:
    lowered = word.lower()
    allowed = max(1, len(word) // 4)  # kernal → kernel (1 edit of 6), batchnrom → batchnorm (1 of 9)
    best = min(((_distance(lowered, option.lower()), option) for option in options), default=None)
    if best is not None and best[0] <= allowed:
        return best[1]
    for option in options:  # maxpooling → maxpool, conv2d → conv
        short, long = sorted((lowered, option.lower()), key=len)
        if len(short) >= 4 and long.startswith(short) and long != short:
            return option
    return None


def _distance(a: str, b: str) -> int:
    """Edits from ``a`` to ``b``: insert, delete, replace, or swap two neighbours
    (optimal string alignment)."""
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        before, previous = previous, current
    return previous[-1]
