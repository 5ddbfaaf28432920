"""The README's pictures are what `cnncalc draw` writes today: this test draws
them again and fails if a committed file differs (or the README stops showing
it); `python tests/test_draw_images.py` rewrites them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import main

ROOT = Path(__file__).resolve().parents[1]
# the file under docs/img/ and the arguments of the `cnncalc draw` that makes it (paths from the root)
IMAGES = {
    "resnet18.svg": ["specs/resnet18.yaml"],
    "vgg16_params_memory.svg": ["specs/vgg16.yaml", "--chart", "params,memory"],
}


def drawn(args: list[str]) -> str:
    result = CliRunner().invoke(main, ["draw", *(str(ROOT / a) if a.startswith("specs/") else a for a in args)])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", IMAGES)
def test_committed_image_is_current(name: str) -> None:
    path = ROOT / "docs" / "img" / name
    assert path.read_text(encoding="utf-8") == drawn(IMAGES[name]), (
        f"docs/img/{name} is stale: run python tests/test_draw_images.py"
    )
    assert f"](docs/img/{name})" in (ROOT / "README.md").read_text(), f"the README does not show docs/img/{name}"


if __name__ == "__main__":
    for name, args in IMAGES.items():
        (ROOT / "docs" / "img" / name).write_text(drawn(args), encoding="utf-8", newline="\n")
    sys.exit(0)
