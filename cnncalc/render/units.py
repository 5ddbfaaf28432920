"""Human units. Counts use SI prefixes (M = 10^6, G = 10^9); bytes use binary
prefixes (MiB = 2^20) and say so."""

from __future__ import annotations

import functools
from typing import Any

from ..metrics import BYTES
from ..registry import REGISTRY
from ..report import AxisRF, Row
from ..shapes import number_text


def count(n: int) -> str:
    """138357544 → '138.36 M' (10^3 steps)."""
    for size, suffix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
        if abs(n) >= size:
            return f"{n / size:.2f} {suffix}"
    return str(n)


def nbytes(n: int) -> str:
    """553430176 → '527.79 MiB' (2^10 steps); from 1000 of a unit on, the next one (1,032,590 B is
    '0.98 MiB', not '1008.39 KiB'), as counts go from 999 to '1.00 k'."""
    for size, suffix in ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if n * 1024 >= size * 1000:
            return f"{n / size:.2f} {suffix}"
    return f"{n} B"


def layers_text(n: int) -> str:
    """'1 layer', '20 layers' (a folded block's count)."""
    return f"{n:,} layer{'s' if n != 1 else ''}"


def grouped(n: int) -> str:
    return f"{n:,}"


def human(unit: str, n: int) -> str:
    """A metric's figure at a glance: '138.36 M', '527.79 MiB'."""
    return nbytes(n) if unit == BYTES else count(n)


def exact(unit: str, n: int) -> str:
    """A metric's figure in full, bytes in binary units: '138,357,544', '527.79 MiB'."""
    return nbytes(n) if unit == BYTES else grouped(n)


def heading(label: str) -> str:
    """'memory' → 'Memory', 'MACs' → 'MACs'."""
    return label[:1].upper() + label[1:]


_num = number_text  # one format for every jump, in tables and in messages


def rf_text(rf: tuple[AxisRF, ...] | None) -> str:
    """'212 /32' (size and jump), per axis when they differ; 'all' when global."""
    if rf is None:
        return "all"
    sizes = {a.size for a in rf}
    jumps = {a.jump for a in rf}
    size = _num(rf[0].size) if len(sizes) == 1 else "×".join(_num(a.size) for a in rf)
    jump = _num(rf[0].jump) if len(jumps) == 1 else "×".join(_num(a.jump) for a in rf)
    return f"{size} /{jump}"


def shape_text(shape: tuple[int, ...], layout: str = "nchw", tokens: bool = False) -> str:
    """Channels first as in the spec, or Keras's (None, H, W, C); tokens [D, N]
    (a row's ``tokens``) as "197 tokens × 768" in either layout."""
    if tokens and len(shape) == 2:
        return f"{shape[1]} token{'s' if shape[1] != 1 else ''} × {shape[0]}"
    if layout == "nhwc":
        dims = (*shape[1:], shape[0]) if len(shape) > 1 else shape
        return "(None, " + ", ".join(map(str, dims)) + ")"
    return "×".join(map(str, shape))


def divisions_text(row: Row) -> str:
    """The failed divisions, axes with the same arithmetic written once:
    ``H, W: (224 + 2·3 − 7) / 2 + 1 = 112.5``."""
    by_text: dict[str, list[str]] = {}
    for division in row.divisions:
        if not division.exact:
            by_text.setdefault(division.text(), []).append(division.axis)
    return "; ".join(f"{', '.join(axes)}: {text}" for text, axes in by_text.items())


def type_label(row: Row) -> str:
    """'conv 3×3 /2 p1': the row's type and key arguments, by its type's
    registered label function; worked out once per type, arguments and rank."""
    try:
        return _label(row.type, row.args, row.rank)
    except TypeError:  # arguments that cannot be a cache key
        return REGISTRY.types[row.type].summary(row.args, row.rank)


@functools.lru_cache(maxsize=4096)
def _label(type_name: str, args: Any, rank: int) -> str:
    return REGISTRY.types[type_name].summary(args, rank)
