"""Where theorems come from: the shipped ``theorems`` package and users' own files."""
from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import sys
from functools import cache

from .errors import UsageError
from .claims import Checkable


def _checkables(module) -> list[Checkable]:
    """A module's claims: its ``CLAIMS`` list when it has one, else every public module-level
    Checkable defined in that module (claims it merely imports, such as the theorem a variant
    derives from, are not its own)."""
    found = getattr(module, "CLAIMS", None)
    if found is None:
        here = os.path.abspath(getattr(module, "__file__", None) or "")
        found = [v for k, v in vars(module).items() if isinstance(v, Checkable) and not k.startswith("_")
                 and getattr(v, "origin", None) in (None, here)]
    unique = []
    for item in found:
        if not isinstance(item, Checkable):
            raise UsageError(f"{module.__name__}.CLAIMS holds {item!r}, which is not a Claim")
        if all(item is not seen for seen in unique):
            unique.append(item)
    return unique


@cache
def theorem_modules() -> dict[str, object]:
    """Every module of the ``theorems`` package, by name (``descent_lemma``)."""
    import theorems
    modules = {}
    for info in sorted(pkgutil.iter_modules(theorems.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            modules[info.name] = importlib.import_module(f"theorems.{info.name}")
    return modules


def builtin_claims() -> dict[str, Checkable]:
    claims = {}
    for module in theorem_modules().values():
        for claim in _checkables(module):
            claims[claim.name] = claim
    return claims


def is_builtin(claim: Checkable) -> bool:
    return builtin_claims().get(claim.name) is claim


def import_path(path: str, prefix: str = "odl_user_"):
    """Import a Python file by its path as a fresh module; a missing file or an import that
    raises is a one-line UsageError."""
    if not os.path.isfile(path):
        raise UsageError(f"{path}: no such file")
    name = prefix + os.path.splitext(os.path.basename(path))[0].replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"{path}: importing it raised {type(exc).__name__}: {exc}") from None
    return module


def load_file(path: str) -> list[Checkable]:
    """Import a user's Python file and return the claims it defines at top level."""
    module = import_path(path)
    claims = _checkables(module)
    if not claims:
        raise UsageError(f"{path} defines no claims: assign a Claim (for example "
                         "DESCENT_LEMMA.variant(...)) to a module-level name")
    for claim in claims:
        claim.origin = os.path.abspath(path)
    return claims


def resolve(names: list[str]) -> list[Checkable]:
    """Theorem names, module names, FILE.py and FILE.py:CLAIM, in order, de-duplicated."""
    if not names:
        return list(builtin_claims().values())
    builtins = builtin_claims()
    modules = theorem_modules()
    chosen: list[Checkable] = []
    for name in names:
        path, _, claim_name = name.partition(".py:")
        if name.endswith(".py") or claim_name:
            claims = load_file(path + ".py" if claim_name else name)
            if claim_name:
                claims = [c for c in claims if c.name == claim_name]
                if not claims:
                    raise UsageError(f"{path}.py defines no claim named {claim_name!r}")
        elif name in builtins:
            claims = [builtins[name]]
        elif name.replace("-", "_") in modules:
            claims = _checkables(modules[name.replace("-", "_")])
        else:
            known = ", ".join(sorted(set(builtins) | {m.replace("_", "-") for m in modules}))
            raise UsageError(f"unknown theorem {name!r}; known: {known}")
        chosen.extend(c for c in claims if all(c is not seen for seen in chosen))
    return chosen
