"""Errors and warnings as ``file:line:col: error: message`` with the source
line and a caret (gcc/black style), or as GitHub Actions annotations."""

from __future__ import annotations

import functools
import re

from ..errors import Diagnostic, SpecError
from .escape import visible

# The line breaks YAML counts (str.splitlines also breaks at \x0b, \x0c, \x1c-\x1e,
# which YAML refuses as control characters: the line quoted would not be the one named).
_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> list[str]:
    """The text's lines, split once per text: check quotes a line for each finding (5,000 findings
    in a 500 KB spec split it 5,000 times: 30 s)."""
    return _YAML_LINE_BREAK.split(text)


def _excerpt(text: str | None, line: int, col: int) -> str:
    if not text or line < 1:
        return ""
    lines = _lines(text)
    if line > len(lines) or (line == len(lines) and not lines[-1] and line > 1):
        return ""
    source = lines[line - 1].replace("\t", " ")
    if len(source) > 200:
        start = max(0, col - 100)
        source, col = source[start : start + 200], col - start
    # control characters shown escaped (\x07), as in the message: the caret moves with them
    col = len(visible(source[: max(col - 1, 0)])) + 1
    return f"\n  {visible(source)}\n  {' ' * max(col - 1, 0)}^"


def format_error(error: SpecError, text: str | None = None) -> str:
    message = visible(str(error))  # quoted user text: never an escape sequence to the terminal
    return message + _excerpt(text, error.loc.line, error.loc.col)


def format_warning(warning: Diagnostic) -> str:
    return visible(str(warning))
