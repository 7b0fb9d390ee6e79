"""The report's math font: STIX Two Math, an OpenType *math* font (it has a ``MATH`` table), cut
down by fontTools' subsetter to the characters the report's formulas draw and embedded as a
base64 ``@font-face``, so formulas look the same offline in any browser.

Why a math font: Chromium draws the radical of ``<msqrt>`` (sign and bar) with the U+221A glyph of
the math element's first available font, with no fallback to another font, and takes the tall
sizes of radicals and stretchy ``<mo>`` (parentheses, brackets, bars) from that font's ``MATH``
table (size variants and glyph assemblies). A text font subset from the formulas' *text* has
neither: no radical is drawn at all (``<msqrt>`` has no √ in its text) and no delimiter stretches,
so (√L/√μ − 1)/(√L/√μ + 1) reads as (L/μ − 1)/(L/μ + 1).

Where the font comes from: ``math_font/odl-math.woff`` beside this file, a renamed subset of STIX
Two Math 2.11 (SIL Open Font License 1.1, text and provenance in ``math_font/OFL.txt``) that covers
the mathematical blocks, made once by :mod:`.build_math_font`. Vendored rather than a dependency:
the report's bytes then depend on no other package's version, and nothing is fetched at run time.
"""
from __future__ import annotations

import base64
import io
import os
from functools import cache
from html.parser import HTMLParser

FAMILY = "ODL Math"
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "math_font", "odl-math.woff")

#: MathML Core's italic mapping (CSS ``text-transform: math-auto``): a browser draws an <mi> of one
#: character, without mathvariant="normal", as its Mathematical Italic form, so the font must have
#: *those* code points (U+1D44E for a, U+210E for h, U+1D707 for μ, U+1D6FB for ∇, ...)
MATH_AUTO_ITALIC: dict[int, int] = {
    **{ord("A") + i: 0x1D434 + i for i in range(26)},
    **{ord("a") + i: 0x1D44E + i for i in range(26)}, ord("h"): 0x210E,
    0x131: 0x1D6A4, 0x237: 0x1D6A5,  # dotless i, j
    **{0x391 + i: 0x1D6E2 + i for i in range(25) if 0x391 + i != 0x3A2},  # Α..Ω
    0x3F4: 0x1D6F3, 0x2207: 0x1D6FB,  # ϴ, ∇
    **{0x3B1 + i: 0x1D6FC + i for i in range(25)},  # α..ω (with ς)
    0x2202: 0x1D715, 0x3F5: 0x1D716, 0x3D1: 0x1D717, 0x3F0: 0x1D718, 0x3D5: 0x1D719, 0x3F1: 0x1D71A,
    0x3D6: 0x1D71B,  # ∂ ϵ ϑ ϰ ϕ ϱ ϖ
}
#: characters the report's MathML may stretch vertically: the MATH table must give each size
#: variants or a glyph assembly (√ for <msqrt>/<mroot>, the rest as stretchy <mo> fences)
STRETCHY = "√()[]{}|‖⟨⟩"
#: always in the subset: digits, common operators, parentheses and the radical sign. Other
#: stretchy characters come when the text has them, each with its MATH variants and assembly parts
_ALWAYS = set(map(ord, "0123456789=+-−,.·×<>≤≥()√"))
#: GSUB/GPOS features kept: kerning, marks, and the dotless/flattened forms MathML accents use. Not
#: 'ssty' (script-size alternates): Chromium does not apply it and its alternates double the subset
FEATURES = ["kern", "mark", "mkmk", "ccmp", "locl", "dtls", "flac", "rtlm"]
_INVISIBLE = {0x2061, 0x2062, 0x2063, 0x2064}  # function application, invisible times/separator/plus


class _Drawn(HTMLParser):
    """The code points a MathML renderer draws: token text, plus its math-auto italic form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.codepoints: set[int] = set()
        self._stack: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self._stack.append((tag, dict(attrs)))
        if tag in ("msqrt", "mroot"):  # the radical sign comes from the font's U+221A, with no fallback
            self.codepoints.add(0x221A)

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        text = data.strip()
        if not text:
            return
        points = [ord(c) for c in text if not c.isspace()]
        self.codepoints.update(points)
        tag, attrs = self._stack[-1] if self._stack else ("", {})
        # Chromium implements only mathvariant="normal" (MathML Core): any other value still
        # gets the italic mapping
        if tag == "mi" and len(text) == 1 and (attrs.get("mathvariant") or "").lower() != "normal":
            if points[0] in MATH_AUTO_ITALIC:
                self.codepoints.add(MATH_AUTO_ITALIC[points[0]])


def drawn_codepoints(mathml_text: str) -> set[int]:
    """Every code point a browser draws for ``mathml_text`` (any number of <math> elements),
    including the Mathematical Italic forms substituted for one-letter <mi> and the radical sign
    that <msqrt>/<mroot> draw without it being in the text."""
    parser = _Drawn()
    parser.feed(mathml_text)
    parser.close()
    return parser.codepoints - _INVISIBLE


def rename(font) -> None:
    """OFL: a Modified Version must not carry the original's names; keep © (0), version (5) and
    the license (13, 14)."""
    name = font["name"]
    for record in list(name.names):
        if record.nameID not in (0, 5, 13, 14):
            name.removeNames(nameID=record.nameID)
    for name_id, value in {1: FAMILY, 2: "Regular", 3: f"{FAMILY}: subset of STIX Two Math",
                           4: f"{FAMILY} Regular", 6: FAMILY.replace(" ", "") + "-Regular"}.items():
        name.setName(value, name_id, 3, 1, 0x409)
        name.setName(value, name_id, 1, 0, 0)


def subset_options(flavor: str | None = None):
    from fontTools import subset
    options = subset.Options()
    options.layout_features = list(FEATURES)
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # TrueType instructions are a third of the file; browsers render fine without
    options.drop_tables += ["DSIG"]
    options.flavor = flavor
    return options


@cache
def _subset_bytes(codepoints: frozenset[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    font = TTFont(SOURCE, recalcTimestamp=False)  # same bytes for the same formulas
    subsetter = subset.Subsetter(subset_options())
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)  # keeps MATH, with the size variants and assembly parts of the kept glyphs
    font.flavor = None  # TrueType, as the CSS says, from the WOFF source
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_bytes(mathml_text: str) -> bytes:
    """The embedded font (TrueType) for ``mathml_text``: what :func:`font_face` base64-encodes."""
    return _subset_bytes(frozenset(drawn_codepoints(mathml_text) | _ALWAYS))


def font_face(mathml_text: str) -> str:
    """CSS ``@font-face`` for the formulas in ``mathml_text`` (all of the page's MathML)."""
    data = base64.b64encode(font_bytes(mathml_text)).decode("ascii")
    return (f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 400; '
            f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}')


def missing_glyphs(mathml_text: str, font_data: bytes) -> set[str]:
    """Characters ``mathml_text`` draws that ``font_data`` has no glyph for (a browser would take
    them from some other, system-dependent font, or draw nothing: the radical sign)."""
    from fontTools.ttLib import TTFont
    cmap = TTFont(io.BytesIO(font_data)).getBestCmap()
    return {chr(c) for c in drawn_codepoints(mathml_text) if c not in cmap}


def unstretchable(font_data: bytes, characters: str = STRETCHY) -> list[str]:
    """The characters of ``characters`` that ``font_data`` cannot draw tall: not in the font, or
    without vertical size variants and glyph assembly in its MATH table (all when it has none)."""
    from fontTools.ttLib import TTFont
    font = TTFont(io.BytesIO(font_data))
    cmap = font.getBestCmap()
    variants = font["MATH"].table.MathVariants if "MATH" in font else None
    coverage = variants.VertGlyphCoverage.glyphs if variants is not None and variants.VertGlyphCoverage else []
    lacking = []
    for char in characters:
        glyph = cmap.get(ord(char))
        if glyph not in coverage:
            lacking.append(char)
            continue
        construction = variants.VertGlyphConstruction[coverage.index(glyph)]
        if len(construction.MathGlyphVariantRecord) < 2 and not construction.GlyphAssembly:
            lacking.append(char)
    return lacking
