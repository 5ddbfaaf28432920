"""The spec's small arithmetic language, parsed here and never by ``eval``.

    expr   := term (('+' | '-') term)*
    term   := unary (('*' | '/' | '//') unary)*
    unary  := '-' unary | atom
    atom   := NUMBER | '$' NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'

Functions: floor, ceil, round, min, max, make_divisible(x, d[, min]).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import did_you_mean

Number = int | float
MAX_LENGTH = 1000
MAX_DEPTH = 50
MAX_OPERAND = 10**18  # any literal, argument or product; a size is at most 2^31 - 1

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|\$(?P<var>[A-Za-z_][A-Za-z0-9_]*)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>//|[-+*/(),]))"
)


class ExprError(Exception):
    """What is wrong with an expression; the loader adds the location."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def make_divisible(value: Number, divisor: Number, min_value: Number | None = None) -> int:
    """torchvision's ``_make_divisible``: round to a multiple of ``divisor``,
    never going down by more than 10%."""
    if divisor <= 0:
        raise ExprError(f"make_divisible needs a positive divisor, got {divisor}")
    minimum = divisor if min_value is None else min_value
    new_value = max(minimum, int(value + divisor / 2) // divisor * divisor)
    if new_value < 0.9 * value:
        new_value += divisor
    return int(new_value)


MAX_ROUND_DIGITS = 40  # |value| <= 10^18: past 40 digits either way round() changes nothing more


def _round(value: Number, digits: Number = 0) -> Number:
    if digits != int(digits):
        raise ExprError(f"round() needs a whole number of digits, not {digits}")
    # Python's int round(8, -10**18) computes 10**(10**18): clamp first, same result
    digits = max(-MAX_ROUND_DIGITS, min(MAX_ROUND_DIGITS, int(digits)))
    return round(value) if digits == 0 else round(value, digits)


FUNCTIONS: dict[str, tuple[Callable[..., Number], int, int]] = {
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "round": (_round, 1, 2),
    "min": (min, 2, 64),
    "max": (max, 2, 64),
    "make_divisible": (make_divisible, 2, 3),
}


class _Parser:
    def __init__(self, text: str, scope: Mapping[str, Any]) -> None:
        if len(text) > MAX_LENGTH:
            raise ExprError(f"expression is longer than {MAX_LENGTH} characters")
        self.text = text
        self.scope = scope
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.depth = 0

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens, pos = [], 0
        stripped = text.rstrip()
        while pos < len(stripped):
            match = _TOKEN.match(stripped, pos)
            if not match or match.end() == pos:
                bad = stripped[pos:].lstrip()[:1]
                raise ExprError(
                    f"unexpected '{bad}' in expression \"{text}\"",
                    "expressions allow numbers, $names, + - * / //, parentheses and " + ", ".join(FUNCTIONS),
                )
            kind = match.lastgroup or "op"
            tokens.append((kind, match.group(kind)))
            pos = match.end()
        tokens.append(("end", ""))
        return tokens

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos]

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, op: str) -> None:
        kind, value = self.take()
        if value != op or kind != "op":
            found = "the end" if kind == "end" else f"'{value}'"
            raise ExprError(f"expected '{op}' but found {found} in expression \"{self.text}\"")

    def parse(self) -> Number:
        value = self.expr()
        kind, token = self.peek()
        if kind != "end":
            raise ExprError(f"unexpected '{token}' in expression \"{self.text}\"")
        return value

    def expr(self) -> Number:
        value = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            right = self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> Number:
        value = self.unary()
        while self.peek() in (("op", "*"), ("op", "/"), ("op", "//")):
            op = self.take()[1]
            right = self.unary()
            if op == "*":
                value = value * right
            elif right == 0:
                raise ExprError(f'division by zero in expression "{self.text}"')
            elif op == "/":
                value = value / right
            else:
                value = value // right
            if isinstance(value, float) and not math.isfinite(value):
                raise ExprError(f'expression "{self.text}" overflows')
            if isinstance(value, int) and abs(value) > MAX_OPERAND:
                raise ExprError(f'expression "{self.text}" gives a number too large for a size')
        return value

    def unary(self) -> Number:
        negative = False
        while self.peek() in (("op", "-"), ("op", "+")):
            negative ^= self.take()[1] == "-"
        value = self.atom()
        return -value if negative else value

    def atom(self) -> Number:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f'expression "{self.text[:40]}..." nests deeper than {MAX_DEPTH}')
        try:
            kind, token = self.take()
            if kind == "number":
                return self.bounded(float(token) if any(c in token for c in ".eE") else int(token), token)
            if kind == "var":
                return self.variable(token)
            if kind == "name":
                return self.call(token)
            if token == "(":
                value = self.expr()
                self.expect(")")
                return value
            found = "the end" if kind == "end" else f"'{token}'"
            raise ExprError(f"expected a number, $name or '(' but found {found} in expression \"{self.text}\"")
        finally:
            self.depth -= 1

    def variable(self, name: str) -> Number:
        if name not in self.scope:
            known = [k for k, v in self.scope.items() if not k.startswith("_")]
            hint = did_you_mean(name, known) or f"declare it: 'args: {{{name}: ...}}' (at the top, or in the block)"
            raise ExprError(f"unknown argument '${name}' in expression \"{self.text}\"", hint)
        value = self.scope[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExprError(f"'${name}' is {_shown(value)}, not a number, in expression \"{self.text}\"")
        return self.bounded(value, f"${name}")

    def bounded(self, value: Number, written: str) -> Number:
        """An operand within what a size can come from: larger ones overflow float division."""
        if value != value:
            raise ExprError(f'expression "{self.text[:60]}": {written[:20]} is not a number')
        if abs(value) > MAX_OPERAND:
            raise ExprError(
                f'expression "{self.text[:60]}": {written[:20]} is too large for a size (at most 10^18 here)'
            )
        return value

    def call(self, name: str) -> Number:
        if name not in FUNCTIONS:
            raise ExprError(
                f"unknown function '{name}' in expression \"{self.text}\"",
                did_you_mean(name, FUNCTIONS) + " (arguments are written $name)",
            )
        function, least, most = FUNCTIONS[name]
        self.expect("(")
        values = [self.expr()]
        while self.peek() == ("op", ","):
            self.take()
            values.append(self.expr())
        self.expect(")")
        if not least <= len(values) <= most:
            raise ExprError(f'{name}() takes {least}–{most} arguments, got {len(values)}, in "{self.text}"')
        try:
            result = function(*values)
        except (OverflowError, ValueError) as error:
            raise ExprError(f"{name}() fails on {values}: {error}") from None
        return result


def _shown(value: Any) -> str:
    """A value as the spec writes it: true, [3, 3], 'text'."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return "null" if value is None else repr(value)


def evaluate(text: str, scope: Mapping[str, Any]) -> Number:
    """Evaluate ``text`` over ``scope`` (argument name → value)."""
    try:
        return _Parser(text, scope).parse()
    except OverflowError:  # bounded operands should prevent it; never a traceback if not
        raise ExprError(f'expression "{text[:60]}" overflows') from None


def variables(text: str) -> set[str]:
    """The $names an expression refers to (no evaluation)."""
    return set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text))
