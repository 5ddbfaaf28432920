"""Guards of the design (docs/architecture.md): imports run one way along the
flow, the libraries stay where they belong, and every declared metric adds
up from the rows to its total.

The import check parses every module with ``ast`` (imports inside functions
and ``TYPE_CHECKING`` blocks count too) and is itself tested: a fake
back-import must make it fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cnncalc
from cnncalc.metrics import METRICS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnncalc"
SPECS = sorted((ROOT / "specs").rglob("*.yaml"))

# The flow's stages, first to last: a module may import its own stage or an
# earlier one, never a later one. The ground floor is the shared vocabulary
# (data types, limits, errors, the registries and the rules registered in them).
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "ground",
        (
            "record", "limits", "errors", "shapes", "expr", "graph", "registry", "metrics", "report",
            "layers", "layer_parts", "conv", "pooling", "merges", "elementwise", "norms", "rearrange", "resize",
            "attention", "saved", "memory", "describe", "liveness", "rf",
        ),
    ),
    ("spec", ("source", "spec", "loader", "schema")),
    ("engine", ("engine",)),
    ("pipeline", ("pipeline",)),
    ("analyses", ("check", "check_fixes", "sizes", "size_maps", "size_cases", "compare", "reference", "largest_batch")),  # reference: formulas and worked examples of the types
    ("render", ("render",)),
    ("api", ("__init__",)),  # cnncalc/__init__.py: analyze() = load + run; its report shows itself through render/
    ("cli", ("cli", "__main__")),
)  # fmt: skip

# Who may import a library (module paths relative to cnncalc/, without .py; "cli/" is the whole package)
LIBRARIES = {
    "click": {"cli/"},
    "rich": {"render/table", "render/plain"},  # plain.py: the table's rich-free copy, handing odd text to rich
    "yaml": {"spec/yamltree"},
}
ANALYSES = {"check", "check_fixes", "sizes", "size_maps", "size_cases", "compare", "largest_batch"}


def stage_of(module: str) -> int:
    """The stage of a module path ('render/table', 'spec/builder', 'engine')."""
    top = module.split("/")[0]
    for rank, (_, names) in enumerate(STAGES):
        if top in names:
            return rank
    raise AssertionError(f"cnncalc/{module}.py has no stage: add it to STAGES in {__file__}")


def sources() -> dict[str, str]:
    """Every module of the package: path relative to cnncalc/ without .py → its text."""
    return {
        str(path.relative_to(PACKAGE).with_suffix("")).replace("\\", "/"): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _package_of(module: str) -> list[str]:
    parts = module.split("/")
    return parts[:-1]  # the package a module sits in ('render/table' → ['render']; '__init__' → [])


def imports(module: str, text: str) -> list[tuple[str, int]]:
    """(imported name, line): cnncalc modules as paths ('render/units'), anything else by its top name."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                if name == "cnncalc" or name.startswith("cnncalc."):
                    found.append(
                        (name.removeprefix("cnncalc").lstrip(".").replace(".", "/") or "__init__", node.lineno)
                    )
                else:
                    found.append((name.split(".")[0], node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                name = node.module or ""
                if name == "cnncalc" or name.startswith("cnncalc."):
                    base = name.removeprefix("cnncalc").lstrip(".").split(".")
                    found += _from_targets([part for part in base if part], node, module)
                else:
                    found.append((name.split(".")[0], node.lineno))
                continue
            package = _package_of(module)
            if module.endswith("__init__"):
                package = module.split("/")[:-1]
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            base = base + [part for part in (node.module or "").split(".") if part]
            found += _from_targets(base, node, module)
    return found


def _from_targets(base: list[str], node: ast.ImportFrom, module: str) -> list[tuple[str, int]]:
    """``from <base> import a, b``: each name that is a module of the package, else <base> itself."""
    targets = []
    for alias in node.names:
        candidate = "/".join([*base, alias.name])
        if (PACKAGE / f"{candidate}.py").exists() or (PACKAGE / candidate / "__init__.py").exists():
            targets.append((candidate, node.lineno))
        else:
            targets.append(("/".join(base) or "__init__", node.lineno))
    return targets


def _may_import(module: str, allowed: set[str]) -> bool:
    """``module`` is one of ``allowed``, or inside an allowed package ("cli/")."""
    return any(module == name or (name.endswith("/") and module.startswith(name)) for name in allowed)


def violations(modules: dict[str, str]) -> list[str]:
    """Every import that breaks the design, as 'module:line: what'."""
    found = []
    for module, text in modules.items():
        for name, line in imports(module, text):
            where = f"cnncalc/{module}.py:{line}"
            top = name.split("/")[0]
            if name in LIBRARIES or top in LIBRARIES:
                if not _may_import(module, LIBRARIES[top]):
                    found.append(f"{where}: imports {top}, which only {sorted(LIBRARIES[top])} may")
                continue
            if not (PACKAGE / f"{name}.py").exists() and not (PACKAGE / name / "__init__.py").exists():
                continue  # the standard library
            if top == "cli" and module.split("/")[0] != "cli" and module != "__main__":
                found.append(f"{where}: imports the CLI; nothing but __main__ may")
            if module.split("/")[0] in ANALYSES and top == "render":
                found.append(f"{where}: an analysis imports render/ (analyses return data, renderers write words)")
            if name == "__init__" and module != "__init__":
                continue  # the package itself (__version__): imported by every submodule anyway
            if stage_of(name) > stage_of(module):
                later, earlier = STAGES[stage_of(name)][0], STAGES[stage_of(module)][0]
                found.append(f"{where}: imports {name} ({later}), a later stage than its own ({earlier})")
    return found


def test_imports_run_one_way() -> None:
    assert violations(sources()) == []


@pytest.mark.parametrize(
    ("module", "line", "expected"),
    [
        ("engine", "from .render.table import render_table", "imports render/table (render), a later stage"),
        ("report", "from . import engine", "imports engine (engine), a later stage than its own (ground)"),
        ("spec/builder", "from ..engine import run", "imports engine (engine), a later stage than its own (spec)"),
        ("check", "from .render.units import grouped", "an analysis imports render/"),
        ("sizes", "import cnncalc.render.sizes", "an analysis imports render/"),
        ("render/text", "from ..cli import echo", "imports the CLI"),
        ("loader", "import click", "imports click"),
        ("render/text", "import click", "imports click, which only ['cli/'] may"),
        ("report", "from .cli.output import echo", "imports the CLI"),
        ("render/text", "from rich.table import Table", "imports rich"),
        ("engine", "    import yaml", "imports yaml"),
        ("metrics", "from cnncalc.render import document", "imports render (render), a later stage"),
    ],
)
def test_a_back_arrow_fails(module: str, line: str, expected: str) -> None:
    modules = sources()
    body = f"def _late() -> None:\n{line}\n" if line.startswith(" ") else line + "\n"
    modules[module] += "\n" + body
    found = violations(modules)
    assert any(expected in message for message in found), found
    assert all(message.startswith(f"cnncalc/{module}.py:") for message in found), found


def test_every_module_has_a_stage() -> None:
    for module in sources():
        stage_of(module)


# --- metrics: the rows add up to the totals ----------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: str(p.relative_to(ROOT / "specs")))
def test_every_metric_sums_from_its_rows(spec: Path) -> None:
    """For every declared metric and every zoo spec: the rows' figures plus the
    input's share equal the total, at batch 1 and 3 (a total computed some
    other way than from the rows would drift from them)."""
    for batch in (1, 3):
        report = cnncalc.analyze(spec, batch=batch)
        size, elements = report.dtype_bytes, report.input_activations
        for metric in METRICS:
            if not metric.additive:  # a peak (cnncalc.memory): no row has a share of it
                continue
            summed = sum(metric.row(row, size) for row in report.rows) + metric.input(elements, size)
            assert summed == report.totals[metric.key], (metric.key, batch)
            if metric.per_row:
                attribute = metric.row_key or metric.key
                assert all(metric.row(row, size) == getattr(row, attribute) for row in report.rows), metric.key


def test_totals_keep_the_declared_order() -> None:
    """JSON "totals" lists the metrics in declaration order (optional ones where they apply)."""
    report = cnncalc.analyze(ROOT / "specs" / "vgg16.yaml")
    keys = [m.key for m in METRICS if not m.optional]
    assert list(report.totals.to_dict()) == keys
