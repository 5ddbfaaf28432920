"""`cnncalc schema`: a valid draft 2020-12 JSON Schema, generated from the
registry, that accepts every spec in specs/ and rejects what the loader rejects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import main
from cnncalc.errors import SpecError
from cnncalc.loader import TOP_KEYS
from cnncalc.registry import REGISTRY

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def schema() -> dict:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    return json.loads(result.output)


@pytest.fixture(scope="module")
def validator(schema: dict):
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_is_draft_2020_12(schema: dict) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert tuple(schema["properties"]) == TOP_KEYS


@pytest.mark.parametrize("path", sorted(ROOT.glob("specs/**/*.yaml")), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_spec_validates(validator, path: Path) -> None:
    errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
    assert not errors


def test_generated_from_the_registry(schema: dict) -> None:
    layer = schema["$defs"]["layer_strict"]
    mapping = next(option for option in layer["anyOf"] if option.get("type") == "object")
    assert set(mapping["properties"]) == {*REGISTRY.names(), "add", "concat", "repeat", "head"}
    for layer_type in REGISTRY.types.values():
        arguments = schema["$defs"][f"args_{layer_type.name}"]
        assert set(arguments["properties"]) == {"name", *(s.name for s in layer_type.schema)}
        assert set(arguments.get("required", [])) == {s.name for s in layer_type.schema if s.required}


GOOD = [
    "input: [3, 32, 32]\nlayers: [relu, maxpool: {kernel: 2, padding: same}]",
    "input: [3, 32, 32]\nlayers: [conv: {filters: 8, kernel: [3, 5], stride: 2, padding: [1, 2]}]",
    "input: [3, 32, 32]\nargs: {w: 2}\nlayers: [conv: {filters: '8 * $w', kernel: 3}]",
    "input: [3, 32, 32]\nlayers:\n  - add: [[conv: {filters: 3, kernel: 1}], []]\n  - repeat: {times: 2, layers: [relu]}",
    "input: [3, 32, 32]\nblocks:\n  b: {args: {f: required}, layers: [conv: {filters: $f, kernel: 1}]}\nlayers: [b: {f: 4}]",
]

BAD = [
    "input: [3, 32, 32]\nlayers: [cnov: {filters: 3, kernel: 3}]",  # unknown type (no blocks)
    "input: [3, 32, 32]\nlayers: [conv: {filters: 3}]",  # missing required argument
    "input: [3, 32, 32]\nlayers: [conv: {filters: 3, kernel: 3, kernal: 3}]",  # unknown argument
    "input: [3, 32, 32]\nlayers: [conv]",  # a bare type that needs arguments
    "input: [3, 32, 32]\nlayers: [conv: {filters: 0, kernel: 3}]",  # out of range
    "input: [3, 32, 32]\nlayers: [conv: {filters: 3, kernel: 3, bias: 1}]",  # wrong type
    "input: [3, 32, 32]\nlayers: [maxpool: {kernel: 2, padding: full}]",  # unknown padding
    "input: [3, 32, 32]\nlayer: [relu]",  # unknown top-level key (and no layers)
    "input: [3, 32, 32]\nlayers: [relu]\ndtype: float8",  # unknown dtype
    "input: [3, 32, 32]\nlayers: [{relu: null, tanh: null}]",  # two keys in one layer
    "input: [3, 32, 32]\nlayers: [add: [[relu]]]",  # one branch
    "input: [3, 32, 32]\nlayers: [repeat: {layers: [relu]}]",  # repeat without times
]


@pytest.mark.parametrize("text", GOOD)
def test_accepts_what_the_loader_accepts(validator, text: str) -> None:
    cnncalc.load_graph(text)
    assert not list(validator.iter_errors(yaml.safe_load(text)))


@pytest.mark.parametrize("text", BAD)
def test_rejects_what_the_loader_rejects(validator, text: str) -> None:
    with pytest.raises(SpecError):
        cnncalc.analyze(text)
    assert list(validator.iter_errors(yaml.safe_load(text)))


def test_readme_shows_the_editor_line() -> None:
    text = (ROOT / "README.md").read_text()
    assert re.search(r"# yaml-language-server: \$schema=\S+", text)
    assert "cnncalc schema >" in text
