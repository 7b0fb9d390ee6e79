"""Where statements come from: the shipped ``odl_verify.theorems`` package and users' own files."""
from __future__ import annotations

import importlib
import os
import pkgutil
from functools import cache

from ..core.loading import THEOREMS_PACKAGE, import_path
from ..definitions.claims import Checkable
from ..errors import UsageError


def checkables(module) -> list[Checkable]:
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
    """Every module of the shipped theorems package, by name (``descent_lemma``)."""
    package = importlib.import_module(THEOREMS_PACKAGE)
    modules = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            modules[info.name] = importlib.import_module(f"{THEOREMS_PACKAGE}.{info.name}")
    return modules


def builtin_claims() -> dict[str, Checkable]:
    claims = {}
    for module in theorem_modules().values():
        for claim in checkables(module):
            claims[claim.name] = claim
    return claims


def load_file(path: str) -> list[Checkable]:
    """Import a user's Python file and return the claims it defines at top level."""
    module = import_path(path)
    claims = checkables(module)
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
            claims = checkables(modules[name.replace("-", "_")])
        else:
            known = ", ".join(sorted(set(builtins) | {m.replace("_", "-") for m in modules}))
            raise UsageError(f"unknown theorem {name!r}; known: {known}")
        chosen.extend(c for c in claims if all(c is not seen for seen in chosen))
    return chosen
