"""Every shipped theorem module tells the whole story in the same place: its docstring follows
one template, checked here, so a reader finds the method, the theorem with its source, the
hypotheses as checked, the tight instances (or that it is an upper bound) and the wrong variants
in that order in every module."""
import ast
import os
import re

import pytest

from odl_verify.core.loading import shipped_theorems_directory
from odl_verify.frontends.registry import checkables, load_file, theorem_modules

#: paragraph headings, in order; the fourth says how the bound relates to the worst case
SECTIONS = ("Method", "Theorem", "Hypotheses as checked", ("Tight", "Upper bound", "Exact"), "Wrong variants")
REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def docstring(module) -> str:
    return ast.get_docstring(ast.parse(open(module.__file__, encoding="utf-8").read())) or ""


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def heading_index(paragraph: str) -> int | None:
    for index, section in enumerate(SECTIONS):
        names = section if isinstance(section, tuple) else (section,)
        if any(re.match(rf"(\*\*)?{re.escape(name)}", paragraph) for name in names):
            return index
    return None


def template_problems(text: str) -> list[str]:
    """What a docstring lacks against the template (empty when it follows it)."""
    found = [heading_index(p) for p in paragraphs(text)[1:]]
    order = [i for i in found if i is not None]
    problems = [f"no paragraph starting with {SECTIONS[i]!r}" for i in range(len(SECTIONS)) if i not in order]
    if order != sorted(order):
        problems.append(f"sections out of order: {[SECTIONS[i] for i in order]}")
    theorem = next((p for p in paragraphs(text) if heading_index(p) == 1), "")
    if not re.match(r"Theorems? \([^)]*docs/theory\.md §\d+", theorem):
        problems.append("the Theorem paragraph names no source with its docs/theory.md section")
    return problems


MODULES = sorted(theorem_modules().items())


@pytest.mark.parametrize("name, module", MODULES, ids=[n for n, _ in MODULES])
def test_theorem_module_follows_the_template(name, module):
    text = docstring(module)
    assert not template_problems(text), f"theorems/{name}.py: {template_problems(text)}"
    variants = re.search(r"Wrong variants \((tests/variants/\w+\.py)\)", text)
    assert variants, f"theorems/{name}.py: the Wrong variants paragraph names no tests/variants/ file"
    assert load_file(os.path.join(REPOSITORY, variants.group(1))), f"{variants.group(1)} defines no claim"
    if any(c.tight for c in checkables(module)):
        assert re.search(r"^(\*\*)?Tight", text, re.M), f"theorems/{name}.py has tight claims but no Tight paragraph"


def test_the_template_check_rejects_what_it_should():
    good = ("Title.\n\nMethod: GD.\n\nTheorem (Someone 2020; docs/theory.md §1): x.\n\n"
            "Hypotheses as checked: all.\n\nTight: on f = x².\n\nWrong variants (tests/variants/a.py): one.")
    assert template_problems(good) == []
    assert template_problems(good.replace("Method:", "How:"))  # a missing section
    assert template_problems(good.replace("; docs/theory.md §1", ""))  # no section reference
    swapped = good.replace("Method: GD.\n\nTheorem (Someone 2020; docs/theory.md §1): x.",
                           "Theorem (Someone 2020; docs/theory.md §1): x.\n\nMethod: GD.")
    assert "out of order" in " ".join(template_problems(swapped))


def test_every_module_of_the_folder_is_a_theorem_module():
    files = sorted(f[:-3] for f in os.listdir(shipped_theorems_directory()) if f.endswith(".py") and f[0] != "_")
    assert files == [name for name, _ in MODULES]
