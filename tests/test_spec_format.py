"""`cnncalc layers`, `cnncalc schema`'s descriptions and docs/spec-format.md come
from one source: the registry's argument declarations (each with its meaning)
and cnncalc.reference (formulas, examples the engine works out). This test keeps
docs/spec-format.md in sync; `python tests/test_spec_format.py` rewrites it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

from cnncalc import layers as _registered  # noqa: F401
from cnncalc.cli import main
from cnncalc.reference import EXAMPLES, FORMULAS
from cnncalc.registry import REGISTRY
from cnncalc.render.layers import spec_format_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "spec-format.md"
MARK = "<!-- generated below by `python tests/test_spec_format.py`; edit above this line -->"


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


def test_declared_formulas_and_examples_name_real_types() -> None:
    assert set(FORMULAS) <= set(REGISTRY.types) and set(EXAMPLES) <= set(REGISTRY.types)
    for formulas in FORMULAS.values():
        assert set(formulas) == {"output", "params", "macs", "rf"}


def test_every_type_states_its_formulas() -> None:
    """`cnncalc layers TYPE` gives the formulas of every type, merges and attention included."""
    from cnncalc.reference import formulas

    assert [name for name, layer_type in REGISTRY.types.items() if formulas(layer_type) is None] == []
    shown = CliRunner().invoke(main, ["layers", "attention"]).output
    assert "  MACs: 4·N·D² + 2·N²·D (N: the positions)" in shown


if __name__ == "__main__":
    DOC.write_text(generated())
    sys.exit(0)
