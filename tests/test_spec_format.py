"""`cnncalc layers`, `cnncalc schema`'s descriptions and docs/spec-format.md come
from one source: the registry's declarations (each argument with its meaning,
each type's formulas and example, declared with its rule; cnncalc.reference
works the example out). This test keeps docs/spec-format.md in sync;
`python tests/test_spec_format.py` rewrites it. It also guards that every
built-in type states its formulas and has a formula test case."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from click.testing import CliRunner

from cnncalc import layers as _registered  # noqa: F401
from cnncalc.cli import main
from cnncalc.record import replace
from cnncalc.reference import example
from cnncalc.registry import REGISTRY, LayerType
from cnncalc.render.layers import spec_format_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "spec-format.md"
MARK = "<!-- generated below by `python tests/test_spec_format.py`; edit above this line -->"
# The formula tables: a type's formula test case is in one of them (hand-derived or framework figures)
FORMULA_TESTS = ("test_layers.py", "test_layers_v2.py", "test_attention.py", "test_merges.py")


def generated() -> str:
    head = DOC.read_text().split(MARK)[0]
    return spec_format_markdown(head + MARK)


def test_docs_spec_format_is_in_sync() -> None:
    assert DOC.read_text() == generated(), "run `python tests/test_spec_format.py` to regenerate docs/spec-format.md"


def test_every_argument_has_a_meaning_in_the_schema() -> None:
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    for layer_type in REGISTRY.types.values():
        properties = schema["$defs"][f"args_{layer_type.name}"]["properties"]
        for spec in layer_type.schema:
            assert spec.doc, (layer_type.name, spec.name)
            assert properties[spec.name]["description"].startswith(spec.doc)
            if not spec.required:
                default = list(spec.default) if isinstance(spec.default, tuple) else spec.default
                assert properties[spec.name]["default"] == default, (layer_type.name, spec.name)


def test_layers_lists_every_type_with_one_line() -> None:
    out = CliRunner().invoke(main, ["layers"]).output
    for name in REGISTRY.types:
        assert any(line.startswith(name + " ") for line in out.splitlines()), name
    assert "dense (linear, fc)  " in out.replace("dense (fc, linear)", "dense (linear, fc)") or "dense (" in out


def test_layers_conv_prints_arguments_formulas_and_an_example() -> None:
    out = CliRunner().invoke(main, ["layers", "conv"]).output
    lines = out.splitlines()
    assert any(line.split()[:4] == ["padding", "int,", "[ints],", "same"] for line in lines)
    assert "  groups         int                         1          1 to 2,147,483,647  split the channels" in out
    assert "  output: [filters, …] with (in + 2·padding − k_eff) / stride + 1" in out
    # the example, worked out by the engine: 64·3·3·3 + 64 = 1,792 params; 64·32·32 outputs × 27 = 1,769,472 MACs
    assert lines[-2:] == [
        "  - conv: {filters: 64, kernel: 3, padding: 1}",
        "  # on 3×32×32 → 64×32×32, 1,792 params, 1,769,472 MACs (1.77 M)",
    ]


def test_an_alias_and_a_typo() -> None:
    assert CliRunner().invoke(main, ["layers", "fc"]).output.startswith("dense (also ")
    result = CliRunner().invoke(main, ["layers", "convv"])
    assert result.exit_code == 2 and "'convv' is not a layer type; did you mean 'conv'?" in result.output


def built_in() -> list[LayerType]:
    """The types cnncalc registers itself (a test may register more)."""
    return [t for t in REGISTRY.types.values() if (t.rule or t.expand).__module__.startswith("cnncalc.")]  # type: ignore[union-attr]


def without_formulas(types: Iterable[LayerType]) -> list[str]:
    return [t.name for t in types if t.formulas is None]


def without_a_test_case(types: Iterable[LayerType], tests: str) -> list[str]:
    """The types that no formula test writes as a layer: `"name"`, `"name":`, `- name` or `name: {`."""
    return [t.name for t in types if not re.search(rf"""["']{t.name}["':]|- {t.name}\b|\b{t.name}: [{{\[]""", tests)]


def formula_tests() -> str:
    return "\n".join((Path(__file__).parent / name).read_text(encoding="utf-8") for name in FORMULA_TESTS)


def test_every_type_states_its_formulas() -> None:
    """`cnncalc layers TYPE` gives the formulas of every type, merges and attention included."""
    assert without_formulas(built_in()) == []
    shown = CliRunner().invoke(main, ["layers", "attention"]).output
    assert "  MACs: 4·N·D² + 2·N²·D (N: the positions)" in shown


def test_every_type_has_a_formula_test_case() -> None:
    assert without_a_test_case(built_in(), formula_tests()) == []


def test_the_guards_catch_a_type_without_formulas_or_a_test() -> None:
    new = replace(REGISTRY.types["groupnorm"], name="groupnorm_v9", formulas=None)
    assert without_formulas([new]) == ["groupnorm_v9"]
    assert without_a_test_case([new], formula_tests()) == ["groupnorm_v9"]
    assert without_a_test_case([new], formula_tests() + '\n    ("x", [8], "groupnorm_v9", [8], 0, 8),') == []


def test_every_declared_example_is_worked_out() -> None:
    """A declared example runs through the engine (a wrong argument would fail here, not in the docs)."""
    declared = [t.name for t in REGISTRY.types.values() if t.example is not None]
    assert len(declared) >= 26
    for name in declared:
        found = example(name)
        assert found is not None, name
        assert found[1].rows[-1].type in (name, "conv"), name  # separable_conv's last part is its pointwise conv


if __name__ == "__main__":
    DOC.write_text(generated())
    sys.exit(0)
