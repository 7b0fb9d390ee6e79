"""Loading a gate target named ``package.module:attr`` or ``path/to/file.py:attr``."""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from ..backend import UsageError


def load_target(spec: str):
    module_part, sep, attr = spec.rpartition(":")
    if not sep or not module_part or not attr:
        raise UsageError(f"target {spec!r} must be package.module:attr or path/to/file.py:attr")
    if module_part.endswith(".py"):
        if not os.path.isfile(module_part):
            raise UsageError(f"target {spec!r}: no such file {module_part}")
        name = "odl_target_" + os.path.splitext(os.path.basename(module_part))[0].replace("-", "_")
        module_spec = importlib.util.spec_from_file_location(name, module_part)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        loader = lambda: module_spec.loader.exec_module(module)
    else:
        module = None
        loader = lambda: importlib.import_module(module_part)
    try:
        loaded = loader()
    except Exception as exc:
        raise UsageError(f"target {spec!r}: cannot import {module_part}: {type(exc).__name__}: {exc}") from None
    module = module or loaded
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise UsageError(f"target {spec!r}: {module_part} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"target {spec!r} is not callable (it is a {type(obj).__name__})")
    return obj
