"""The shipped theorems, one module per result, installed as ``odl_verify.theorems``
(``from odl_verify.theorems.descent_lemma import DESCENT_LEMMA``); nothing installs a
top-level ``theorems`` package."""
