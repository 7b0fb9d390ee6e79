"""The engine's layers import one way, and no module reaches into another's private names.

Layers, bottom to top: core (with odl_verify.errors) < definitions < engine < theorems < gate
< frontends. A module may import from its own layer and the layers below; every import counts,
deferred ones inside functions included. The package's ``__init__`` is the public surface on
top of everything, which no module of the package imports from. Modules stay under
MAX_LINES lines unless their docstring says why they are longer.
"""
import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYERS = ["core", "definitions", "engine", "theorems", "gate", "frontends"]
MAX_LINES = 400
LONG_REASON = "Why this module is long:"


def modules() -> dict[str, str]:
    """Every module of the installed package, by dotted name → file (theorems/ is odl_verify.theorems)."""
    found = {}
    for top, package in (("odl_verify", "odl_verify"), ("theorems", "odl_verify.theorems")):
        for directory, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith(".py"):
                    relative = os.path.relpath(os.path.join(directory, name), os.path.join(ROOT, top))[:-3]
                    parts = [p for p in relative.split(os.sep) if p != "__init__"]
                    found[".".join([package, *parts])] = os.path.join(directory, name)
    return found


MODULES = modules()


def layer(module: str) -> int | None:
    """The layer index of a module of ours; None for the public surface and for other packages."""
    if module == "odl_verify.errors":
        return 0
    parts = module.split(".")
    if parts[0] != "odl_verify" or len(parts) < 2:
        return None
    if parts[1] == "__main__":
        return LAYERS.index("frontends")
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def imports(name: str, path: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import in the file, deferred ones too."""
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [alias.name for alias in node.names]
            submodules = [n for n in names if f"{base}.{n}" in MODULES]
            found += [(f"{base}.{n}", [], node.lineno) for n in submodules]
            rest = [n for n in names if n not in submodules]
            if rest:
                found.append((base, rest, node.lineno))
    return found


def upward_imports(name: str, path: str) -> list[str]:
    own = layer(name)
    problems = []
    for target, _, line in imports(name, path):
        if target == "odl_verify" and name != "odl_verify":
            problems.append(f"{name}:{line} imports the public surface odl_verify (import the module it comes from)")
        elif own is not None and layer(target) is not None and layer(target) > own:
            problems.append(f"{name}:{line} ({LAYERS[own]}) imports {target} ({LAYERS[layer(target)]})")
    return problems


def private_reaches(name: str, path: str) -> list[str]:
    imported = imports(name, path)
    problems = [f"{name}:{line} imports private {n!r} from {target}"
                for target, names, line in imported for n in names
                if n.startswith("_") and not n.startswith("__") and target != name]
    tree = ast.parse(open(path, encoding="utf-8").read())
    # names bound to modules of ours (`import odl_verify.x as y`, `from odl_verify.x import module`)
    module_aliases = {alias.asname or alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                      for alias in node.names if alias.name.startswith("odl_verify")}
    module_aliases |= {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                       for alias in node.names if any(t.endswith("." + alias.name) for t, _, _ in imported)}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in module_aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            problems.append(f"{name}:{node.lineno} reaches {node.value.id}.{node.attr}")
    return problems


def cycles() -> list[list[str]]:
    """Import cycles among our modules (every import, deferred ones too)."""
    graph = {name: {t for t, _, _ in imports(name, path) if t in MODULES and t != name}
             for name, path in MODULES.items()}
    found, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            # a package imports its submodules, and they import their siblings through it: not a cycle
            if node.startswith(nxt + ".") or nxt.startswith(node + "."):
                continue
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def test_layers_import_downward_only():
    problems = [p for name, path in sorted(MODULES.items()) for p in upward_imports(name, path)]
    assert not problems, "\n".join(problems)


def test_no_import_cycle():
    assert not cycles(), "\n".join(" -> ".join(c) for c in cycles())


def test_no_module_reaches_into_another_modules_private_names():
    problems = [p for name, path in sorted(MODULES.items()) for p in private_reaches(name, path)]
    assert not problems, "\n".join(problems)


def test_modules_are_small_or_say_why():
    long = []
    for name, path in sorted(MODULES.items()):
        text = open(path, encoding="utf-8").read()
        if text.count("\n") > MAX_LINES and LONG_REASON not in (ast.get_docstring(ast.parse(text)) or ""):
            long.append(f"{name}: {text.count(chr(10))} lines")
    assert not long, "\n".join(long)


def test_every_module_belongs_to_a_layer():
    unplaced = sorted(n for n in MODULES if layer(n) is None and n != "odl_verify")
    assert not unplaced, unplaced


@pytest.mark.parametrize("source, problem", [
    ("from odl_verify.frontends.cli import main\n", "imports odl_verify.frontends.cli (frontends)"),
    ("def f():\n    from ...engine.search import falsify\n", "(definitions) imports odl_verify.engine.search"),
    ("from odl_verify import Claim\n", "imports the public surface"),
])
def test_the_layering_check_rejects_upward_imports(tmp_path, source, problem):
    path = tmp_path / "probe.py"
    path.write_text(source)
    assert any(problem in p for p in upward_imports("odl_verify.definitions.claims.probe", str(path)))


def test_the_private_name_check_rejects_reaching_in(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("from odl_verify.engine.search.adversary import _helper\nimport odl_verify.frontends.registry as r\n"
                    "r._checkables\n")
    problems = private_reaches("odl_verify.gate.probe", str(path))
    assert len(problems) == 2 and "_helper" in problems[0] and "r._checkables" in problems[1]
