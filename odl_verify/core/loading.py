"""Loading what a user names: a Python file by its path, an object by ``module:attr`` or
``file.py:attr``, and where the shipped theorems live."""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from functools import cache

from ..errors import UsageError

#: the package of the shipped theorem modules (the repository's ``theorems/`` folder, installed under this name)
THEOREMS_PACKAGE = "odl_verify.theorems"


@cache
def shipped_theorems_directory() -> str:
    """The folder of the shipped theorem modules, found without importing them."""
    spec = importlib.util.find_spec(THEOREMS_PACKAGE)
    return os.path.abspath(list(spec.submodule_search_locations)[0])


def is_shipped(path: str | None) -> bool:
    """Whether ``path`` is one of the shipped theorem modules."""
    return bool(path) and os.path.dirname(os.path.abspath(path)) == shipped_theorems_directory()


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


def load_object(spec: str, what: str = "target"):
    """The callable named ``package.module:attr`` or ``path/to/file.py:attr``."""
    module_part, sep, attr = spec.rpartition(":")
    if not sep or not module_part or not attr:
        raise UsageError(f"{what} {spec!r} must be package.module:attr or path/to/file.py:attr")
    if module_part.endswith(".py"):
        try:
            module = import_path(module_part, prefix="odl_target_")
        except UsageError as exc:
            raise UsageError(f"{what} {spec!r}: {exc}") from None
    else:
        try:
            module = importlib.import_module(module_part)
        except Exception as exc:
            raise UsageError(f"{what} {spec!r}: cannot import {module_part}: {type(exc).__name__}: {exc}") from None
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise UsageError(f"{what} {spec!r}: {module_part} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"{what} {spec!r} is not callable (it is a {type(obj).__name__})")
    return obj
