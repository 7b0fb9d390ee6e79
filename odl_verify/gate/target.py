"""Loading a gate target named ``package.module:attr`` or ``path/to/file.py:attr``."""
from __future__ import annotations

import importlib

from ..errors import UsageError
from ..registry import import_path


def load_target(spec: str):
    module_part, sep, attr = spec.rpartition(":")
    if not sep or not module_part or not attr:
        raise UsageError(f"target {spec!r} must be package.module:attr or path/to/file.py:attr")
    if module_part.endswith(".py"):
        try:
            module = import_path(module_part, prefix="odl_target_")
        except UsageError as exc:
            raise UsageError(f"target {spec!r}: {exc}") from None
    else:
        try:
            module = importlib.import_module(module_part)
        except Exception as exc:
            raise UsageError(f"target {spec!r}: cannot import {module_part}: {type(exc).__name__}: {exc}") from None
    obj = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise UsageError(f"target {spec!r}: {module_part} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"target {spec!r} is not callable (it is a {type(obj).__name__})")
    return obj
