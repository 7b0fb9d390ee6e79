"""The documentation is checked like code: every theory reference resolves to a section that
exists, the family table is the one the code generates, and the examples in the guide and the
README do what the text says when run as a reader would run them."""
import json
import os
import re

import pytest

from odl_verify.frontends.cli import main
from odl_verify.frontends.family_table import family_table, table_in

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THEORY = os.path.join(REPO, "docs", "theory.md")
GUIDE = os.path.join(REPO, "docs", "writing-claims.md")
#: "docs/theory.md §3" and "docs/theory.md §1, §2" in code and docs; "[§3]" in the README's table
REFERENCE = re.compile(r"docs/theory\.md ((?:§\d+)(?:, §\d+)*)")
README_SECTION = re.compile(r"\[§(\d+)\]")
SEARCHED = ("odl_verify", "theorems", "tests", "docs")


def read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def references(root: str = REPO) -> list[tuple[str, int]]:
    """(file, section) for every theory reference in the code, the tests, the docs and the README."""
    files = [os.path.join(root, "README.md")]
    for top in SEARCHED:
        for folder, _, names in os.walk(os.path.join(root, top)):
            files += [os.path.join(folder, n) for n in names if n.endswith((".py", ".md", ".j2"))]
    found = []
    for path in filter(os.path.exists, files):
        text = read(path)
        numbers = [n for match in REFERENCE.finditer(text) for n in re.findall(r"§(\d+)", match.group(1))]
        if path.endswith("README.md"):
            numbers += README_SECTION.findall(text)
        found += [(os.path.relpath(path, root), int(n)) for n in numbers]
    return found


def unresolved(root: str = REPO) -> list[tuple[str, int]]:
    """The references under ``root`` to a section that its docs/theory.md does not have."""
    sections = {int(n) for n in re.findall(r"^## (\d+)\. ", read(os.path.join(root, "docs", "theory.md")), flags=re.M)}
    return sorted({(path, n) for path, n in references(root) if n not in sections})


def test_every_theory_reference_resolves_to_a_section():
    found = references()
    assert len(found) > 80 and {n for _, n in found} >= {1, 2, 3, 4, 5, 6}
    assert unresolved() == [], "references to sections docs/theory.md does not have"


def test_a_reference_to_a_missing_section_is_caught(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "theory.md").write_text("## 1. One\n\n## 2. Two\n")
    (tmp_path / "odl_verify").mkdir()
    (tmp_path / "odl_verify" / "m.py").write_text(f'REFERENCE = "docs/theory.md §2, §{7}"\n')
    (tmp_path / "README.md").write_text("| `theorems/x.py` [§9] |\n")
    assert unresolved(str(tmp_path)) == [("README.md", 9), ("odl_verify/m.py", 7)]


def test_no_reference_to_the_private_theory_file_is_left():
    files = [os.path.join(REPO, "README.md")] + [
        os.path.join(folder, n) for top in SEARCHED for folder, _, names in os.walk(os.path.join(REPO, top))
        for n in names if n.endswith((".py", ".md"))]
    private = "THEORY" + ".md"  # spelled apart so that this file does not name it
    assert [path for path in files if private in read(path)] == []


def test_every_theorem_module_has_its_section():
    text = read(THEORY)
    for module in sorted(os.listdir(os.path.join(REPO, "theorems"))):
        if module.endswith(".py") and not module.startswith("_"):
            assert f"theorems/{module}" in text, f"docs/theory.md does not say which section {module} checks"


def test_the_family_table_is_the_generated_one():
    assert table_in(read(GUIDE)) == family_table(), \
        "docs/writing-claims.md is out of date: python -m odl_verify.frontends.family_table docs/writing-claims.md"


def code_block(text: str, after: str, language: str) -> str:
    """The first ```language block after the marker ``after``."""
    start = text.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(text, start)
    return match.group(1)


def test_the_guide_example_holds_and_its_wrong_variant_is_falsified(tmp_path, monkeypatch, capsys):
    """As a newcomer would: save the guide's file, run the guide's command (at a smaller budget)."""
    (tmp_path / "two_steps.py").write_text(code_block(read(GUIDE), "guide-example:begin", "python"))
    assert "odl-verify check two_steps.py" in read(GUIDE)
    monkeypatch.chdir(tmp_path)
    code = main(["check", "two_steps.py", "--examples", "2", "--json", "out.json"])
    verdicts = {v["theorem"]: v["status"] for v in json.loads((tmp_path / "out.json").read_text())["verdicts"]}
    assert code == 1  # "the exit code is 1 because something was falsified"
    assert verdicts == {"two-steps-decrease": "held", "two-steps-decrease~twice-the-constant": "falsified"}


def test_the_readme_variant_example_prints_what_the_readme_shows(tmp_path, monkeypatch, capsys):
    readme = read(os.path.join(REPO, "README.md"))
    section = readme[readme.index("### Deriving a variant"):]
    (tmp_path / "my_variant.py").write_text(code_block(section, "### Deriving a variant", "python"))
    shown = code_block(section, "falsifies both", "")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "my_variant.py"])
    out, err = capsys.readouterr()
    assert code == 1 and out.count("FALSIFIED") == 2, err
    # every line the README shows is printed, up to the elisions it marks with ...
    for line in shown.splitlines():
        expected = line.strip()
        if expected and expected != "...":
            # "{...}" elides a part of the line (a user's path, a long case): the rest must be printed, in order
            pattern = ".*".join(re.escape(part) for part in expected.split("{...}"))
            assert re.search(pattern, out), f"the README shows {expected!r}, the check printed:\n{out}"


@pytest.mark.parametrize("path", ["docs/theory.md", "docs/writing-claims.md"])
def test_docs_link_only_to_files_that_exist(path):
    folder = os.path.dirname(os.path.join(REPO, path))
    for target in re.findall(r"\]\(([^)#:]+)\)", read(os.path.join(REPO, path))):
        assert os.path.exists(os.path.join(folder, target)), f"{path} links to {target}, which does not exist"
