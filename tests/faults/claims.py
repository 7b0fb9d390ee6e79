"""Claims whose ``measure`` breaks its contract in every way the suite must catch: each is an
error verdict with a one-line reason, never a crash, a hang or a broadcast HELD.
Checked by tests/test_faults.py, one claim at a time (FILE.py:CLAIM)."""
import ctypes
import sys
import time

from odl_verify.theorems.descent_lemma import DESCENT_LEMMA, measure


def _quantities(x0, **changed):
    """The descent lemma's quantities for a batch, with some replaced."""
    row = x0[:, 0]
    return {"f_t": row * 0 + 1.0, "f_next": row * 0, "grad_sq": row * 0 + 1e-3, **changed}


def raises(instance, x0, values, xp):
    raise RuntimeError("boom")


def returns_nan(instance, x0, values, xp):
    return _quantities(x0, f_t=x0[:, 0] * float("nan"))


def misses_a_quantity(instance, x0, values, xp):
    return {"f_t": x0[:, 0]}


def one_value_for_the_batch(instance, x0, values, xp):
    """Shape (1,) instead of (B,): broadcast over the batch it would read as HELD."""
    return _quantities(x0, grad_sq=x0[:1, 0] * 0 + 1e-3)


def a_column(instance, x0, values, xp):
    return _quantities(x0, f_t=(x0[:, 0] * 0 + 1.0)[:, None])


def float32(instance, x0, values, xp):
    return _quantities(x0, f_next=(x0[:, 0] * 0).float())


def a_python_float(instance, x0, values, xp):
    return _quantities(x0, f_t=1.0)


def not_a_dict(instance, x0, values, xp):
    return [x0[:, 0]]


def exits(instance, x0, values, xp):
    sys.exit(3)


def crashes(instance, x0, values, xp):
    ctypes.string_at(0)  # reads address 0: a segmentation fault, as a bug in C code would raise


def sleeps(instance, x0, values, xp):
    while True:
        time.sleep(0.05)


def hangs_in_c(instance, x0, values, xp):
    return sum(range(10**13))


RAISES = DESCENT_LEMMA.variant("raises", measure=raises)
RETURNS_NAN = DESCENT_LEMMA.variant("returns-nan", measure=returns_nan)
MISSES = DESCENT_LEMMA.variant("misses-a-quantity", measure=misses_a_quantity)
ONE_VALUE = DESCENT_LEMMA.variant("one-value-for-the-batch", measure=one_value_for_the_batch)
COLUMN = DESCENT_LEMMA.variant("a-column", measure=a_column)
FLOAT32 = DESCENT_LEMMA.variant("float32", measure=float32)
PYTHON_FLOAT = DESCENT_LEMMA.variant("a-python-float", measure=a_python_float)
NOT_A_DICT = DESCENT_LEMMA.variant("not-a-dict", measure=not_a_dict)
EXITS = DESCENT_LEMMA.variant("exits", measure=exits)
CRASHES = DESCENT_LEMMA.variant("crashes", measure=crashes)
SLEEPS = DESCENT_LEMMA.variant("sleeps", measure=sleeps)
HANGS_IN_C = DESCENT_LEMMA.variant("hangs-in-c", measure=hangs_in_c)
#: the shipped measure: holds, and is checked beside the broken ones to show the others still run
FINE = DESCENT_LEMMA.variant("fine", measure=measure)
