"""The architecture as SVG: NN-SVG-style blocks ("3d": height and depth by the
tensor's spatial size, width by its channels, all log-scaled) or plain boxes
("flat"), placed by layout.py, merges drawn as joins."""

from __future__ import annotations

import math

from ...report import Report
from ..units import count, shape_text
from .items import Item, items
from .layout import Box, Layout, Size, layout
from .svg import LINE, document, esc, num, text, text_width, wrap

STYLES = ("3d", "flat")
LABEL = 9.5  # label font size
WRAP = 17  # label characters per line
TITLE = 15.0
HEADER = 46.0  # the title and totals above the drawing
NOTE = 15.0  # a note under them (what a diagram too large to draw left out)
JOIN = 11.0  # a merge's circle radius
SYMBOLS = {"add": "+", "multiply": "×", "concat": "C", "stack": "S"}

# front, top and side faces of a block by the kind of layer that made it
PALETTE = {
    "input": ("#e5e8e8", "#f2f4f4", "#ccd1d1"),
    "conv": ("#aed6f1", "#d6eaf8", "#85c1e9"),
    "pool": ("#f5b7b1", "#fadbd8", "#f1948a"),
    "dense": ("#d2b4de", "#e8daef", "#bb8fce"),
    "block": ("#f9e79f", "#fcf3cf", "#f7dc6f"),
    "merge": ("#ffffff", "#ffffff", "#ffffff"),
    "other": ("#d5f5e3", "#eafaf1", "#abebc6"),
}


def _family(item: Item) -> str:
    if item.is_input:
        return "input"
    if item.folded:
        return "block"
    kind = item.rows[0].type
    if len(item.preds) > 1:
        return "merge"
    for family in ("conv", "pool", "dense"):
        if family in kind:
            return family
    return "other"


def _log(n: int, unit: float, least: float) -> float:
    return least + unit * math.log2(max(n, 1))


def _block(item: Item) -> tuple[float, float, float]:
    """A tensor's block: front width (channels), height and depth (spatial sizes)."""
    shape = item.shape
    if item.tokens and len(shape) == 2:  # tokens [D, N]: N tokens high, D wide
        return _log(shape[0], 3.0, 4.0), _log(shape[1], 9.0, 8.0), 8.0
    if len(shape) == 1:  # a vector: a tall thin slab
        return 6.0, _log(shape[0], 8.0, 8.0), 6.0
    height = _log(shape[-2] if len(shape) > 2 else shape[-1], 13.0, 8.0)
    depth = _log(shape[-1], 6.0, 4.0) if len(shape) > 2 else 6.0
    return _log(shape[0], 3.0, 4.0), height, depth


def _slant(depth: float) -> tuple[float, float]:
    """A block's depth drawn obliquely: right and up."""
    return depth * 0.7, depth * 0.55


def _labels(item: Item, layout_: str) -> list[tuple[str, str]]:
    """The label's lines and their class: the name, the kind of layer, the shape, each wrapped."""
    parts = [(item.name, "name"), (item.kind, "kind"), (shape_text(item.shape, layout_, item.tokens), "shape")]
    if item.is_input:
        parts = [parts[0], parts[2]]
    return [(line, cls) for whole, cls in parts for line in wrap(whole, WRAP)]


def _label_size(item: Item, layout_: str) -> tuple[float, float]:
    lines = _labels(item, layout_)
    return max(text_width(line, LABEL) for line, _ in lines), len(lines) * LABEL * LINE


def _size_3d(item: Item, layout_: str) -> Size:
    label_w, label_h = _label_size(item, layout_)
    if _family(item) == "merge":
        width = max(2 * JOIN, label_w)
        return Size(width, 2 * JOIN + 4 + label_h, JOIN, (width - 2 * JOIN) / 2)
    w, h, d = _block(item)
    dx, dy = _slant(d)
    width = max(w + dx, label_w)
    return Size(width, dy + h + 4 + label_h, dy + h / 2, (width - w - dx) / 2)


def _size_flat(item: Item, layout_: str) -> Size:
    label_w, label_h = _label_size(item, layout_)
    return Size(label_w + 14, label_h + 10, (label_h + 10) / 2)


def diagram_layout(
    report: Report,
    style: str = "3d",
    depth: int | None = None,
    layout_: str = "nchw",
    keep: int | None = None,
    top: float = HEADER,
) -> tuple[list[Item], Layout]:
    """The items drawn (the first ``keep`` of them, None: all) and where: for tests (boxes
    must not overlap) and for diagram_svg."""
    drawn = items(report, depth, merge_pointwise=style == "3d")[:keep]
    sizer = _size_3d if style == "3d" else _size_flat
    gap = 22.0 if style == "3d" else 26.0
    placed = layout([sizer(item, layout_) for item in drawn], [item.preds for item in drawn], top=top, gap=gap)
    return drawn, placed


def diagram_svg(
    report: Report,
    style: str = "3d",
    depth: int | None = None,
    layout: str = "nchw",
    ids: str = "cnncalc",
    keep: int | None = None,
    note: str = "",
) -> str:
    """The whole diagram as a standalone SVG document (deterministic: the same report gives the same bytes);
    ``keep``: draw only the first tensors; ``note``: a line under the totals saying what was left out."""
    if style not in STYLES:
        raise ValueError(f"'{style}' is not a style; the styles are {', '.join(STYLES)}")
    drawn, placed = diagram_layout(report, style, depth, layout, keep, HEADER + (NOTE if note else 0))
    header, header_width = _header(report, layout, drawn, note)
    body = [_defs(ids), *header]
    body += [f'<path class="edge" d="{edge.path}" marker-end="url(#{ids}-arrow)"/>' for edge in placed.edges]
    for item, box in zip(drawn, placed.boxes):
        body.append(_item_3d(item, box, layout) if style == "3d" else _item_flat(item, box, layout))
    style_sheet = (
        ".edge{fill:none;stroke:#566573;stroke-width:1.3}"
        ".block{stroke:#34495e;stroke-width:0.8;stroke-linejoin:round}"
        ".name{font-weight:bold;fill:#1b2631}.kind{fill:#34495e}.shape{fill:#5d6d7e}"
    )
    width = max(placed.width, header_width)
    return document(width, placed.height, _title(report, layout), body, style_sheet)


def _defs(ids: str) -> str:
    return (
        f'<defs><marker id="{ids}-arrow" viewBox="0 0 8 8" refX="7.5" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#566573"/></marker></defs>'
    )


def _title(report: Report, layout_: str) -> str:
    if len(report.inputs) > 1:  # several inputs: each by name, as the table's title
        shapes = ", ".join(f"{name} {shape_text(shape, layout_)}" for name, shape in report.inputs.items())
        return f"{report.name or report.file} — inputs {shapes}"
    return f"{report.name or report.file} — input {shape_text(report.input, layout_)}"


LEGEND = {"conv": "conv", "pool": "pooling", "dense": "dense", "block": "folded block", "other": "other"}


def _header(report: Report, layout_: str, drawn: list[Item], note: str = "") -> tuple[list[str], float]:
    """The title, the totals, a key to the colours drawn and the note; and how wide they are."""
    t = report.totals
    totals = f"{count(t.params)} params · {count(t.macs)} MACs · batch {report.batch}, {report.dtype}"
    parts = [
        text(16, 22, _title(report, layout_), TITLE, font_weight="bold", fill="#1b2631"),
        text(16, 40, totals, LABEL + 0.5, fill="#5d6d7e"),
    ]
    x = 16 + text_width(totals, LABEL + 0.5) + 24
    families = {_family(item) for item in drawn}
    for family, words in LEGEND.items():
        if family in families:
            parts.append(
                f'<rect class="block" x="{num(x)}" y="31" width="10" height="10" fill="{PALETTE[family][0]}"/>'
            )
            parts.append(text(x + 14, 40, words, LABEL, fill="#5d6d7e"))
            x += 14 + text_width(words, LABEL) + 14
    if note:
        parts.append(text(16, 40 + NOTE, "note: " + note, LABEL + 0.5, fill="#b9770e"))
        x = max(x, 16 + text_width("note: " + note, LABEL + 0.5) + 16)
    return parts, max(x, 16 + text_width(_title(report, layout_), TITLE) + 16)


TOOLTIP_ROWS = 40  # a folded block of 20,000 layers names its first rows, not all (a 340 kB tooltip)


def _tooltip(item: Item) -> str:
    """The rows the item stands for, by name and type: shown on hover, found by search."""
    rows = [f"{row.name} ({row.type})" for row in item.rows[:TOOLTIP_ROWS]] or ["input"]
    if len(item.rows) > TOOLTIP_ROWS:
        rows.append(f"and {len(item.rows) - TOOLTIP_ROWS:,} more")
    return f"<title>{esc(', '.join(rows))}</title>"


def _label_text(item: Item, cx: float, top: float, layout_: str) -> list[str]:
    """The label's lines, centred on ``cx`` from ``top`` down."""
    return [
        text(cx, top + LABEL * (LINE * n + 1), line, LABEL, "middle", class_=cls)
        for n, (line, cls) in enumerate(_labels(item, layout_))
    ]


def _item_3d(item: Item, box: Box, layout_: str) -> str:
    front, light, dark = PALETTE[_family(item)]
    parts = [f'<g class="item">{_tooltip(item)}']
    if _family(item) == "merge":
        cx, cy = box.x + box.width / 2, box.y + JOIN
        symbol = SYMBOLS.get(item.rows[0].type, "•")
        parts.append(f'<circle class="block" cx="{num(cx)}" cy="{num(cy)}" r="{num(JOIN)}" fill="#ffffff"/>')
        parts.append(text(cx, cy + 4.5, symbol, 13, "middle", class_="name"))
        parts += _label_text(item, cx, cy + JOIN + 3, layout_)
    else:
        w, h, d = _block(item)
        dx, dy = _slant(d)
        x, y = box.x + box.inset, box.y + dy  # the front face's top-left corner
        parts.append(
            f'<path class="block" fill="{light}" d="M{num(x)},{num(y)} l{num(dx)},{num(-dy)} h{num(w)} '
            f'l{num(-dx)},{num(dy)} z"/>'
        )
        parts.append(
            f'<path class="block" fill="{dark}" d="M{num(x + w)},{num(y)} l{num(dx)},{num(-dy)} v{num(h)} '
            f'l{num(-dx)},{num(dy)} z"/>'
        )
        parts.append(
            f'<rect class="block" fill="{front}" x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}"/>'
        )
        parts += _label_text(item, box.x + box.width / 2, y + h + 3, layout_)
    parts.append("</g>")
    return "".join(parts)


def _item_flat(item: Item, box: Box, layout_: str) -> str:
    front = PALETTE[_family(item)][0]
    parts = [
        f'<g class="item">{_tooltip(item)}',
        f'<rect class="block" fill="{front}" x="{num(box.x)}" y="{num(box.y)}" width="{num(box.width)}" '
        f'height="{num(box.height)}" rx="4"/>',
    ]
    parts += _label_text(item, box.x + box.width / 2, box.y + 4, layout_)
    parts.append("</g>")
    return "".join(parts)
