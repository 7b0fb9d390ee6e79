"""Make ``math_font/odl-math.woff``, the vendored source of the report's math font (see
:mod:`.fonts`), from STIX Two Math. Run once by a maintainer, never by a report::

    python -m odl_verify.frontends.report.build_math_font STIXTwoMath-Regular.ttf

The input used for the committed file: STIX Two Math 2.11, ``STIXTwoMath-Regular.ttf`` as the
ziamath 0.13 wheel ships it (sha256 8f42cb18…2323c, see ``math_font/OFL.txt``). The output keeps
the mathematical Unicode blocks with every MATH size variant and assembly part of their glyphs,
no hinting, renamed "ODL Math" as the OFL asks of a Modified Version; WOFF (zlib), which
fontTools reads without brotli.
"""
from __future__ import annotations

import sys

from .fonts import SOURCE, rename, subset_options


def _ranges(*pairs) -> set[int]:
    return {c for low, high in pairs for c in range(low, high + 1)}


BLOCKS = _ranges((0x20, 0x7E), (0xA0, 0xFF), (0x131, 0x131), (0x237, 0x237), (0x300, 0x36F), (0x391, 0x3A9),
                 (0x3B1, 0x3C9), (0x3D1, 0x3D6), (0x3F0, 0x3F5), (0x2000, 0x206F), (0x2100, 0x214F),
                 (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2300, 0x23FF), (0x25A0, 0x25FF), (0x27C0, 0x27EF),
                 (0x2980, 0x29FF), (0x2A00, 0x2AFF),
                 (0x1D400, 0x1D4CF),  # bold, italic, bold italic, script
                 (0x1D538, 0x1D56B),  # double-struck
                 (0x1D6A4, 0x1D7CB), (0x1D7CE, 0x1D7E1))  # dotless i/j, Greek bold/italic, bold and double-struck digits


def build(source_ttf: str, out: str = SOURCE) -> int:
    """Write the vendored font from ``source_ttf``; return its glyph count."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    font = TTFont(source_ttf, recalcTimestamp=False)
    options = subset_options(flavor="woff")
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(BLOCKS))
    subsetter.subset(font)
    rename(font)
    subset.save_font(font, out, options)
    return len(font.getGlyphOrder())


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m odl_verify.frontends.report.build_math_font STIXTwoMath-Regular.ttf")
    print(f"{SOURCE}: {build(sys.argv[1])} glyphs")
