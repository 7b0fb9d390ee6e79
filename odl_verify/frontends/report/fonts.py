"""The report's math font: matplotlib's STIX (it ships with a dependency, so every install
has it), cut down by fontTools' subsetter to the characters the report's formulas use and
embedded as a base64 ``@font-face``, so formulas look the same offline in any browser."""
from __future__ import annotations

import base64
import io
import os
import re
from functools import cache

import matplotlib

FAMILY = "ODL Math"
_SOURCE = os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf", "STIXGeneral.ttf")
#: Chromium draws a one-letter <mi> in the Mathematical Italic block (U+1D434 for A, U+1D44E for a)
_MATH_ITALIC = {**{chr(ord("A") + i): 0x1D434 + i for i in range(26)},
                **{chr(ord("a") + i): 0x1D44E + i for i in range(26)}, "h": 0x210E}
_GREEK_ITALIC = {chr(0x3B1 + i): 0x1D6FC + i for i in range(25)}


def _characters(mathml: str) -> set[int]:
    import html
    text = html.unescape(re.sub(r"<[^>]*>", " ", mathml))
    codepoints = {ord(c) for c in text if not c.isspace()}
    for letter in text:
        for table in (_MATH_ITALIC, _GREEK_ITALIC):
            if letter in table:
                codepoints.add(table[letter])
    return codepoints | {ord(c) for c in "()[]=+-−,.0123456789"}


@cache
def _subset(codepoints: frozenset[int]) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    font = TTFont(_SOURCE)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge timestamps: not needed, and fontTools warns on them
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return base64.b64encode(out.getvalue()).decode("ascii")


def font_face(mathml_text: str) -> str:
    """CSS ``@font-face`` for the formulas in ``mathml_text`` (all of the page's MathML)."""
    data = _subset(frozenset(_characters(mathml_text)))
    return (f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 400; '
            f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}')
