"""What the README and docs/*.md say a command prints is what it prints.

Every ```text block of README.md and docs/*.md whose lines start with
`$ cnncalc ...` is run, each command in turn, from a folder holding the
repository's specs/ and the files the docs write out for their examples
(docs/check.md's `specs/stem.yaml`, docs/sizes.md's `two_inputs.yaml`,
docs/errors.md's `net.yaml`), and its output is compared with the lines under
it, verbatim. A doc that quotes a new command is checked without a new test.
The quotes that show no command (the README's `check` finding, its one-line
error, docs/html.md's repr) are compared with the output they stand for."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_sizes import TWO_INPUTS

import cnncalc
from cnncalc.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```text\n(\$ .*?)```", re.S)
EXIT = '; echo "exit $?"'  # the docs show a command's exit code this way


def quoted_commands() -> list[tuple[str, str, str]]:
    """(doc, command, what the doc says it prints) for every `$ cnncalc` line of a text block."""
    found = []
    for doc in DOCS:
        for block in BLOCK.findall(doc.read_text(encoding="utf-8")):
            for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
                command, _, shown = part.partition("\n")
                if command.startswith("cnncalc "):
                    found.append((doc.name, command, shown))
    return found


def _stem_spec() -> str:
    found = re.search(r"```yaml\n(name: stem\n.*?)```", (ROOT / "docs" / "check.md").read_text(encoding="utf-8"), re.S)
    assert found, "docs/check.md no longer writes out specs/stem.yaml"
    return found.group(1)


def _net_spec() -> str:
    """docs/errors.md's net.yaml: the quoted source line at the line the message names, after
    valid layers (the message indents the quoted line by two spaces)."""
    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    found = re.search(r"\$ cnncalc summary net.yaml\nnet.yaml:(\d+):\d+: [^\n]*\n  ([^\n]*)\n", doc)
    assert found, "docs/errors.md's first example is missing"
    line, source = int(found.group(1)), found.group(2)
    head = ["name: net", "input: [3, 32, 32]", "layers:"]
    return "\n".join(head + ["  - relu"] * (line - 1 - len(head)) + [source]) + "\n"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("docs")
    shutil.copytree(ROOT / "specs", work / "specs")
    (work / "specs" / "stem.yaml").write_text(_stem_spec(), encoding="utf-8")
    (work / "stem.yaml").write_text(_stem_spec(), encoding="utf-8")
    (work / "two_inputs.yaml").write_text(TWO_INPUTS, encoding="utf-8")
    (work / "net.yaml").write_text(_net_spec(), encoding="utf-8")
    return work


def run(command: str, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """What `command` prints (both streams, as a terminal shows them), with `exit N` after
    it when the doc echoes the exit code."""
    echoes_exit = command.endswith(EXIT)
    argv = shlex.split(command.removesuffix(EXIT), comments=True)
    assert argv[0] == "cnncalc"
    monkeypatch.chdir(workdir)
    result = CliRunner().invoke(main, argv[1:], terminal_width=200)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.output + (f"exit {result.exit_code}\n" if echoes_exit else "")


def test_the_docs_quote_commands() -> None:
    """The collection below is not empty by accident: the docs' known examples are found."""
    commands = {command for _, command, _ in quoted_commands()}
    for expected in [
        "cnncalc sizes specs/vgg16.yaml",
        "cnncalc fit specs/resnet50.yaml --memory 24GiB",
        'cnncalc check specs/vgg16.yaml specs/stem.yaml; echo "exit $?"',
        "cnncalc check --format github specs/stem.yaml",
        "cnncalc summary net.yaml",
    ]:
        assert expected in commands, f"no quoted output of '{expected}'"


@pytest.mark.parametrize(
    ("doc", "command", "shown"), [pytest.param(*quote, id=f"{quote[0]}: {quote[1]}") for quote in quoted_commands()]
)
def test_a_quoted_command_prints_what_the_doc_shows(
    doc: str, command: str, shown: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(command, workdir, monkeypatch) == shown, f"{doc}: the output of '{command}' is stale"


def test_the_readme_check_finding_is_the_first_of_the_stem(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README shows the first finding of `cnncalc check stem.yaml` (docs/check.md's stem), whole."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```text\n(stem\.yaml:4:5: error: .*?)```", readme, re.S)
    assert found, "the README's check example is missing"
    printed = run("cnncalc check stem.yaml", workdir, monkeypatch)
    findings = re.split(r"\n(?=\S)", printed)  # a finding: its message line and the indented lines under it
    assert findings[0] + "\n" == found.group(1)


def test_the_readme_bad_input_line_is_the_error_docs_errors_shows(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    found = re.search(r"\(`(net\.yaml:\d+:\d+: error: [^`]*)`, then the line and a caret\)", readme)
    assert found, "the README's bad-input example is missing"
    assert run("cnncalc summary net.yaml", workdir, monkeypatch).splitlines()[0] == found.group(1)


def test_the_notebook_repr_in_docs_html() -> None:
    doc = (ROOT / "docs" / "html.md").read_text(encoding="utf-8")
    found = re.search(r"print\(repr\(report\)\)\n# (<cnncalc report [^\n]*)\n#  ([^\n]*>)\n", doc)
    assert found, "docs/html.md's repr example is missing"
    report = cnncalc.analyze(ROOT / "specs" / "vgg16.yaml")
    assert repr(report) == found.group(1) + " " + found.group(2)


def test_the_rewired_skip_in_docs_compare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/compare.md's skip-connection example is the end of `compare` on test_compare_wiring's two specs."""
    from test_compare_wiring import SKIP_A, SKIP_B

    doc = (ROOT / "docs" / "compare.md").read_text(encoding="utf-8")
    found = re.search(r"```text\n(Layers of B against A .*?)```", doc, re.S)
    assert found, "docs/compare.md's skip-connection example is missing"
    (tmp_path / "a.yaml").write_text(SKIP_A, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(SKIP_B, encoding="utf-8")
    printed = run("cnncalc compare a.yaml b.yaml", tmp_path, monkeypatch)
    assert printed.endswith("\n" + found.group(1))


def test_the_frozen_footer_in_docs_table(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/table.md quotes YOLOv8n's `Non-trainable:` figure and its words, as the footer writes them."""
    doc = " ".join((ROOT / "docs" / "table.md").read_text(encoding="utf-8").split())
    found = re.search(r"as for YOLOv8n: `([^`]*)`", doc)
    assert found, "docs/table.md's YOLOv8n example is missing"
    printed = run("cnncalc summary specs/yolov8n.yaml --width 200", workdir, monkeypatch)
    footer = next(line for line in printed.splitlines() if line.startswith("Non-trainable:"))
    assert " ".join(footer.split()).endswith(found.group(1))


def _code_lines(text: str) -> list[str]:
    """Lines of Python without comments or indentation, blank ones left out."""
    lines = (re.sub(r"(^|\s+)#.*$", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


@pytest.mark.parametrize(
    ("starts", "module"), [("@record\nclass GroupNorm", "norms.py"), ('@merge(\n    "multiply"', "merges.py")]
)
def test_the_extension_samples_in_docs_architecture_are_the_code(starts: str, module: str) -> None:
    """docs/architecture.md shows groupnorm and multiply as they are registered: every line of
    its sample (comments aside) is a line of the family's module."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    found = re.search(r"```python\n(" + re.escape(starts) + r".*?)```", doc, re.S)
    assert found, f"docs/architecture.md's {module} sample is missing"
    source = set(_code_lines((ROOT / "cnncalc" / module).read_text(encoding="utf-8")))
    assert [line for line in _code_lines(found.group(1)) if line not in source] == []


def test_the_readme_speed_is_the_last_idle_run_of_docs_performance() -> None:
    """The README quotes docs/performance.md's last idle run (its first table): the same ratios."""
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    quoted = re.search(r"one idle run: summary of VGG16 ([\d.]+×) `[^`]*`, check ([\d.]+×) `", readme)
    assert quoted, "the README's speed figures are missing"
    doc = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    summary = re.search(r"^\| `cnncalc summary specs/vgg16.yaml` / [^|]* \| ([\d.]+×) \|", doc, re.M)
    check = re.search(r"^\| `cnncalc check specs/vgg16.yaml` / [^|]* \| ([\d.]+×) \|", doc, re.M)
    assert summary and check, "docs/performance.md's table is missing"
    assert quoted.groups() == (summary.group(1), check.group(1)), (
        "copy docs/performance.md's last idle run into the README"
    )


def test_docs_html_names_every_key_of_rows() -> None:
    """docs/html.md lists the keys of `report.rows()`: all of them, and no other."""
    doc = (ROOT / "docs" / "html.md").read_text(encoding="utf-8")
    said = doc[doc.index("`report.rows()` gives one plain dict per layer") : doc.index("pandas is not needed")]
    keys = set(re.findall(r"`([a-z_]+)`", said))
    assert keys == set(cnncalc.analyze(ROOT / "specs" / "vgg16.yaml").rows()[0])


# A line naming one of these runs another program, whose flags it may name.
OTHER_PROGRAMS = re.compile(r"bench|tools/|pytest|pre-commit|chromium|hypothesis")
# Flags of other programs the docs name away from the program's name.
OTHER_FLAGS = {
    "--update-goldens", "--screenshot", "--files", "--cpu", "--timeline",  # pytest, chromium, pre-commit, bench, tools
    "--max-", "--max-momentum-memory",  # docs/architecture.md: check's budget option of a metric, its example
}  # fmt: skip


def test_every_option_the_docs_name_exists() -> None:
    """An option the README or docs/ name is an option of a cnncalc command (or of a tool they name)."""
    import click

    def options(command: click.Command) -> set[str]:
        found = {name for param in command.params if isinstance(param, click.Option) for name in param.opts}
        for sub in getattr(command, "commands", {}).values():
            found |= options(sub)
        return found

    known = options(main) | OTHER_FLAGS
    for doc in [ROOT / "CONTRIBUTING.md", *DOCS]:
        lines = doc.read_text(encoding="utf-8").splitlines()
        named = {
            flag
            for line in lines
            if not OTHER_PROGRAMS.search(line)
            for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", line)
        }
        assert sorted(named - known) == [], f"{doc.name} names options cnncalc does not have"
