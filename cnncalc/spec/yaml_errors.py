"""PyYAML's complaints as one located error each, with the fix where the
problem is a known one (a tab, an unclosed bracket, a missing space after ':')."""

from __future__ import annotations

from typing import Any

from ..errors import SourceLoc, SpecError


def invalid_yaml(error: Any, text: str, file: str) -> SpecError:
    """PyYAML's complaint as one located error, with the fix where the problem is a known one."""
    mark = error.problem_mark or error.context_mark
    at = SourceLoc(file, mark.line + 1, mark.column + 1) if mark else SourceLoc(file, 1, 1)
    problem = error.problem or error.context or "invalid YAML"
    hint = _yaml_hint(problem)
    lines = text.splitlines() or [""]
    if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        hint = "indent with spaces, not tabs"
    if at.line > len(lines):  # the end of a truncated file: point after its last character
        at = SourceLoc(file, len(lines), len(lines[-1]) + 1)
    start = error.context_mark
    context = error.context or ""
    unclosed = _unclosed_bracket(lines, start, mark, context)
    if unclosed is not None:
        return SpecError(
            f"invalid YAML: this '{unclosed}' is never closed",
            SourceLoc(file, start.line + 1, start.column + 1),
            f"close it with '{_CLOSING[unclosed]}' on its line (or before the next item)",
        )
    if error.problem and context.startswith(("while parsing a", "while scanning a ")) and start:
        problem += f" ({context.removeprefix('while ')} that starts at line {start.line + 1})"
        if "quoted scalar" in context:
            hint = "close the quote"
    return SpecError(f"invalid YAML: {problem}", at, hint)


_CLOSING = {"[": "]", "{": "}"}


def _unclosed_bracket(lines: list[str], start: Any, mark: Any, context: str) -> str | None:
    """The bracket a flow list or mapping opened and never closed: the parser
    stumbles on a later line that is indented no deeper than the bracket's own line
    (the next item of the list around it), so the bracket, not that line, is the
    mistake. A missing comma inside a flow list spread over lines is not this."""
    if not start or not mark or not context.startswith("while parsing a flow") or start.line >= len(lines):
        return None
    opening = lines[start.line]
    bracket = opening[start.column : start.column + 1]
    if bracket not in _CLOSING:
        return None
    indent = len(opening) - len(opening.lstrip(" "))
    later = lines[start.line + 1 : mark.line + 1]  # up to where the parser stumbled (or the end)
    return bracket if any(line.strip() and len(line) - len(line.lstrip(" ")) <= indent for line in later) else None


def _yaml_hint(problem: str) -> str:
    if "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "put a space after each ':' and check the indentation"
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        return "close the bracket, or put a comma between items"
    if "expected key" in problem or "expected <block end>" in problem or "expected '-'" in problem:
        return "check the indentation: the items of one list or mapping start in the same column"
    return ""
