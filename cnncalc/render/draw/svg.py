"""SVG text by hand: escaping, fixed number formatting (the same bytes every
run) and the document around a drawing. No library: the output is plain text
a test can parse with xml.etree."""

from __future__ import annotations

from ..escape import visible

FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"  # fixed advance: the layout can measure text
ADVANCE = 0.6  # a monospace character's width, in font sizes
LINE = 1.25  # a line's height, in font sizes


def text_width(text: str, size: float) -> float:
    """The width ``text`` takes at font ``size`` (monospace: one advance per character)."""
    return len(text) * size * ADVANCE


def esc(text: str) -> str:
    """User text made safe for SVG: controls spelt as escapes (XML 1.0 cannot hold
    them at all, even as character references), then ``& < > "`` as entities."""
    text = visible(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def num(value: float) -> str:
    """A coordinate with at most one decimal, no trailing zeros: '12', '12.5'."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def attrs(**values: str | float) -> str:
    """``key="value"`` pairs; ``class_`` → ``class``, ``_`` in other keys → ``-``."""
    parts = []
    for key, value in values.items():
        name = key.rstrip("_").replace("_", "-")
        parts.append(f'{name}="{num(value) if isinstance(value, int | float) else value}"')
    return " ".join(parts)


def text(x: float, y: float, content: str, size: float, anchor: str = "start", **more: str | float) -> str:
    """One line of real SVG text (selectable, searchable), user text escaped."""
    return f"<text {attrs(x=x, y=y, font_size=size, text_anchor=anchor, **more)}>{esc(content)}</text>"


def document(width: float, height: float, title: str, body: list[str], style: str = "") -> str:
    """A standalone SVG: its size, a <title> for screen readers and tooltips, the body."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" {attrs(width=width, height=height)} '
        f'viewBox="0 0 {num(width)} {num(height)}" font-family="{FONT}" role="img">'
    )
    parts = [head, f"<title>{esc(title)}</title>"]
    if style:
        parts.append(f"<style>{style}</style>")
    parts.append(f'<rect width="{num(width)}" height="{num(height)}" fill="#ffffff"/>')
    parts += body
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def wrap(text: str, chars: int) -> list[str]:
    """``text`` in lines of at most ``chars`` characters, broken after spaces,
    dots and '·' where it can be, inside a word only where it must."""
    lines: list[str] = []
    line = ""
    for word in _words(text):
        if len(line) + len(word.rstrip()) > chars and line:
            lines.append(line.rstrip())
            line = ""
        while len(word.rstrip()) > chars:
            lines.append(word[:chars])
            word = word[chars:]
        line += word
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _words(text: str) -> list[str]:
    """Pieces of ``text`` that end where a line may break (after ' ' or '.')."""
    words, start = [], 0
    for at, char in enumerate(text):
        if char in " .":
            words.append(text[start : at + 1])
            start = at + 1
    if start < len(text):
        words.append(text[start:])
    return words
