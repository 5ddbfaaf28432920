"""A layered left-to-right layout of a DAG of boxes, without crossings through
boxes: every item sits in a column (its longest path from the input) and a
lane (a horizontal line: the main path is lane 0, a parallel branch takes the
nearest free lane beside it). An edge that skips columns runs in a lane whose
cells are free over the columns it passes, and changes lanes only in the gaps
between columns, where there are no boxes."""

from __future__ import annotations

import bisect

from ...record import record
from .svg import num

GAP = 34.0  # between columns: room for an edge to change lanes
LANE_GAP = 18.0  # between lanes
EDGE_LANE = 10.0  # the height of a lane that only carries edges
BRANCHES = 1  # a parallel branch goes below the main path (U-Net's contracting path descends, as in the paper)
SKIPS = -1  # a skip connection arcs above


@record
class Size:
    width: float
    height: float
    attach: float  # where edges meet it, from its top (a block's middle, not its labels')
    inset: float = 0.0  # how far inside its sides edges meet it (a block narrower than its labels)


@record
class Box:
    item: int
    x: float
    y: float
    width: float
    height: float
    column: int
    lane: int
    inset: float = 0.0


@record
class Edge:
    source: int
    target: int
    path: str  # SVG path data
    lane: int  # the lane it runs in between its ends' columns (its source's when adjacent)


@record
class Layout:
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    width: float
    height: float


def columns(preds: list[list[int]]) -> list[int]:
    """Each item's column: one past its furthest input (items are in execution order)."""
    found: list[int] = []
    for inputs in preds:
        found.append(max((found[p] + 1 for p in inputs), default=0))
    return found


class _Taken:
    """The cells taken, per lane as sorted, disjoint column intervals: whether a
    run of columns is free is one bisection (a spec may have thousands of skips)."""

    def __init__(self) -> None:
        self.starts: dict[int, list[int]] = {}
        self.ends: dict[int, list[int]] = {}

    def free(self, lane: int, first: int, last: int) -> bool:
        starts = self.starts.get(lane)
        if not starts:
            return True
        at = bisect.bisect_right(starts, last)  # the last interval starting by `last` is the only one that can overlap
        return at == 0 or self.ends[lane][at - 1] < first

    def take(self, lane: int, first: int, last: int) -> None:
        starts = self.starts.setdefault(lane, [])
        at = bisect.bisect_left(starts, first)
        starts.insert(at, first)
        self.ends.setdefault(lane, []).insert(at, last)

    def nearest_free(self, start: int, first: int, last: int, side: int) -> int:
        """The lane nearest ``start`` free over columns first..last, trying ``side``
        first (1: below, -1: above), then the other side, one lane further each time."""
        step = 0
        while True:
            for lane in (start,) if step == 0 else (start + side * step, start - side * step):
                if self.free(lane, first, last):
                    return lane
            step += 1


def layout(
    sizes: list[Size], preds: list[list[int]], margin: float = 16.0, top: float = 0.0, gap: float = GAP
) -> Layout:
    """Place every item and route every edge (item i reads the items ``preds[i]``)."""
    column = columns(preds)
    taken = _Taken()
    lane: list[int] = []
    for i, inputs in enumerate(preds):
        wanted = lane[inputs[0]] if inputs else 0
        chosen = taken.nearest_free(wanted, column[i], column[i], BRANCHES)
        lane.append(chosen)
        taken.take(chosen, column[i], column[i])
    # long edges, shortest first: nested skips nest (U-Net's arcs lie inside one another)
    long_edges = sorted(
        ((column[t] - column[s], t, s) for t, inputs in enumerate(preds) for s in inputs if column[t] - column[s] > 1)
    )
    edge_lane: dict[tuple[int, int], int] = {}
    for _, t, s in long_edges:
        chosen = taken.nearest_free(lane[s], column[s] + 1, column[t] - 1, SKIPS)
        taken.take(chosen, column[s] + 1, column[t] - 1)
        edge_lane[(s, t)] = chosen
    widths = [0.0] * (max(column, default=0) + 1)
    above: dict[int, float] = {}
    below: dict[int, float] = {}
    for i, size in enumerate(sizes):
        widths[column[i]] = max(widths[column[i]], size.width)
        above[lane[i]] = max(above.get(lane[i], 0.0), size.attach)
        below[lane[i]] = max(below.get(lane[i], 0.0), size.height - size.attach)
    for lane_of_edge in edge_lane.values():
        above.setdefault(lane_of_edge, EDGE_LANE / 2)
        below.setdefault(lane_of_edge, EDGE_LANE / 2)
    x_of = [margin]
    for w in widths[:-1]:
        x_of.append(x_of[-1] + w + gap)
    line_y: dict[int, float] = {}
    y = top + margin
    for each in sorted(above):
        line_y[each] = y + above[each]
        y = line_y[each] + below[each] + LANE_GAP
    boxes = tuple(
        Box(i, x_of[column[i]], line_y[lane[i]] - s.attach, s.width, s.height, column[i], lane[i], s.inset)
        for i, s in enumerate(sizes)
    )
    edges = []
    for t, inputs in enumerate(preds):
        for s in inputs:
            via = edge_lane.get((s, t), lane[s])
            edges.append(Edge(s, t, _route(boxes[s], boxes[t], x_of, widths, line_y[via], line_y), via))
    width = x_of[-1] + widths[-1] + margin
    return Layout(boxes, tuple(edges), width, y - LANE_GAP + margin)


def _route(s: Box, t: Box, x_of: list[float], widths: list[float], via_y: float, line_y: dict[int, float]) -> str:
    """From the source's right side to the target's left: straight along lanes,
    S-bends only inside the gaps between columns."""
    ys, yt = line_y[s.lane], line_y[t.lane]
    gap_out = x_of[s.column] + widths[s.column]
    gap_in = x_of[t.column]
    parts = [f"M{num(s.x + s.width - s.inset)},{num(ys)}", f"H{num(gap_out)}"]
    if t.column == s.column + 1:
        parts.append(_bend(gap_out, ys, gap_in, yt))
    else:
        parts.append(_bend(gap_out, ys, x_of[s.column + 1], via_y))
        parts.append(f"H{num(x_of[t.column - 1] + widths[t.column - 1])}")
        parts.append(_bend(x_of[t.column - 1] + widths[t.column - 1], via_y, gap_in, yt))
    parts.append(f"H{num(t.x + t.inset)}")
    return " ".join(parts)


def _bend(x0: float, y0: float, x1: float, y1: float) -> str:
    """A smooth S from (x0, y0) to (x1, y1), inside x0..x1 (a line when level)."""
    if abs(y0 - y1) < 0.05:
        return f"H{num(x1)}"
    mid = (x0 + x1) / 2
    return f"C{num(mid)},{num(y0)} {num(mid)},{num(y1)} {num(x1)},{num(y1)}"
