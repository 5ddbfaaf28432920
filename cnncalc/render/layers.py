"""`cnncalc layers`: every layer type with a one-line description, or one type
in full (its arguments with their meaning, default and range, its formulas and
an example), and docs/spec-format.md, the format reference, from the same
declarations (cnncalc.registry: each type's arguments, formulas and example;
cnncalc.reference works the example out)."""

from __future__ import annotations

from ..limits import MAX_SIZE
from ..reference import example
from ..registry import REGISTRY, ArgSpec, LayerType
from .units import count, grouped, shape_text

_KINDS = {
    "int": "int",
    "float": "number",
    "bool": "true/false",
    "str": "text",
    "size": "int or [ints]",
    "axes": "int or [ints], channels first",
    "padding": "int, [ints], same or valid",
    "tensor": "a reference",
}
_FORMULA_NAMES = (("output", "output"), ("params", "params"), ("macs", "MACs"), ("rf", "receptive field"))


def description(layer_type: LayerType) -> str:
    """The first sentence of the type's docstring."""
    first = " ".join(layer_type.doc.split())
    sentence = first.split(". ")[0].rstrip(".")
    return sentence or layer_type.name


def _aliases(name: str) -> list[str]:
    return [alias for alias, target in REGISTRY.aliases.items() if target == name]


def layer_list() -> str:
    """Every layer type, one line each."""
    types = sorted(REGISTRY.types.values(), key=lambda t: t.name)
    names = {t.name: t.name + (f" ({', '.join(_aliases(t.name))})" if _aliases(t.name) else "") for t in types}
    width = max(map(len, names.values()))
    lines = [f"{names[t.name]:<{width}}  {description(t)}" for t in types]
    lines.append("")
    lines.append(
        "Structure: add and concat take branches; repeat: {times, layers}; head: {name, layers}; blocks: your own."
    )
    lines.append("cnncalc layers TYPE prints a type's arguments, formulas and an example.")
    return "\n".join(lines) + "\n"


def _default(spec: ArgSpec) -> str:
    if spec.required:
        return "required"
    value = spec.default
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "none"
    return "[" + ", ".join(map(str, value)) + "]" if isinstance(value, tuple) else str(value)


def _range(spec: ArgSpec) -> str:
    if spec.kind in ("bool", "str", "tensor"):
        return ""
    low = int(spec.minimum) if spec.kind != "float" else spec.minimum
    high = spec.maximum if spec.maximum is not None else MAX_SIZE
    high = int(high) if spec.kind != "float" else high
    return f"{low} to {grouped(high) if isinstance(high, int) else high}"


def arguments(layer_type: LayerType) -> list[tuple[str, str, str, str, str]]:
    """(name, kind, default, range, meaning) of each argument, ``name`` first."""
    rows = [(s.name, _KINDS[s.kind], _default(s), _range(s), s.doc) for s in layer_type.schema]
    return [*rows, ("name", "text", "automatic", "", "the layer's name (unique; conv1, relu2, … when left out)")]


def _example_lines(name: str) -> list[str]:
    found = example(name)
    if found is None:
        return []
    written, report = found
    row = report.rows[-1]
    figures = f"{shape_text(report.input)} → {shape_text(row.output)}, {grouped(row.params)} params"
    if row.macs:
        figures += f", {grouped(row.macs)} MACs ({count(row.macs)})"
    return [f"  - {written}", f"  # on {figures}"]


def layer_detail(name: str) -> str:
    """One type in full."""
    layer_type = REGISTRY.get(name)
    assert layer_type is not None, name
    aliases = _aliases(layer_type.name)
    lines = [layer_type.name + (f" (also {', '.join(aliases)})" if aliases else ""), ""]
    lines += ["  " + line.strip() for line in layer_type.doc.splitlines() if line.strip()]
    rows = arguments(layer_type)
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines += ["", "Arguments:"]
    for row in rows:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append(("  " + "  ".join(cells) + "  " + row[4]).rstrip())
    formulas = layer_type.formulas
    if formulas is not None:
        lines += ["", "Formulas:"] + [f"  {label}: {getattr(formulas, key)}" for key, label in _FORMULA_NAMES]
    shown = _example_lines(layer_type.name)
    if shown:
        lines += ["", "Example:", *shown]
    return "\n".join(lines) + "\n"


def spec_format_markdown(head: str) -> str:
    """docs/spec-format.md: ``head`` (the hand-written part), then every layer type."""
    out = [head.rstrip(), "", "## Layer types", ""]
    for layer_type in sorted(REGISTRY.types.values(), key=lambda t: t.name):
        aliases = _aliases(layer_type.name)
        out.append(f"### `{layer_type.name}`" + (f" (also {', '.join(f'`{a}`' for a in aliases)})" if aliases else ""))
        out += ["", " ".join(layer_type.doc.split()), ""]
        rows = arguments(layer_type)
        out += ["| argument | type | default | range | meaning |", "|---|---|---|---|---|"]
        out += [f"| `{r[0]}` | {r[1]} | {r[2]} | {r[3]} | {r[4]} |" for r in rows]
        formulas = layer_type.formulas
        if formulas is not None:
            out += [""] + [f"- {label}: {getattr(formulas, key)}" for key, label in _FORMULA_NAMES]
        shown = _example_lines(layer_type.name)
        if shown:
            out += ["", "```yaml", *(line[2:] for line in shown), "```"]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
