"""The HTML report in a real browser: headless Chromium, driven over the DevTools protocol
(``--remote-debugging-pipe``, so no extra Python package), must lay formulas out as math,
show the plots, log no console error and attempt no network request.

Needs Debian's ``chromium`` (.ci/run installs it); skips with the reason where it is absent.
The screenshot is kept at ``reports/browser-screenshot.png`` for a person to look at.
"""
from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import textwrap
import time

import pytest

from odl_verify.frontends.cli import main

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)")
# no scrollbars: a screenshot beyond the viewport drops the scrollbar, which would re-center the page
# and shift everything off the boxes the probe measured
FLAGS = ["--headless", "--hide-scrollbars", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe", "--window-size=1200,900"]


class DevTools:
    """The DevTools protocol over Chromium's pipe: fd 3 for commands, fd 4 for replies and events."""

    def __init__(self, profile_dir: str):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds():  # Chromium reads commands on fd 3 and writes on fd 4 (dup first: either may be 3 or 4)
            read, write = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read, 3)
            os.dup2(write, 4)

        # dup2 makes 3 and 4 inheritable; every other descriptor of ours is closed at exec (PEP 446)
        self.process = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
                                        close_fds=False, preexec_fn=child_fds,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer, self._next_id, self.events = b"", 0, []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: str | None = None, timeout: float = 30, **params) -> dict:
        self._next_id += 1
        command = {"id": self._next_id, "method": method, "params": params}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            message = self._read_message(deadline)
            self.events.append(message)
            if message.get("method") == method:
                return message

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._to_browser)
        os.close(self._from_browser)


#: run in the page: what a reader would see
PROBE = textwrap.dedent("""
    (() => {
      const box = e => e.getBoundingClientRect();
      const page = e => { const b = box(e); return {x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height}; };
      const union = els => { const bs = els.map(page), x = Math.min(...bs.map(b => b.x)), y = Math.min(...bs.map(b => b.y));
        return {x, y, w: Math.max(...bs.map(b => b.x + b.w)) - x, h: Math.max(...bs.map(b => b.y + b.h)) - y}; };
      const fracs = [...document.querySelectorAll('mfrac')].map(f => {
        const [num, den] = [box(f.children[0]), box(f.children[1])];
        return {stacked: num.bottom <= den.top + 1, width: box(f).width};
      });
      const maths = [...document.querySelectorAll('math')].map(m => box(m));
      const plots = [...document.querySelectorAll('.plot svg, img.plot')].map(p => {
        const r = box(p);
        return {width: r.width, height: r.height, drawn: p.tagName === 'IMG' ? p.naturalWidth > 0 : p.querySelectorAll('path, use').length > 0};
      });
      return {
        text: document.body.innerText,
        maths: maths.map(r => ({width: r.width, height: r.height})),
        mathDisplay: getComputedStyle(document.querySelector('math')).display,
        fracs, plots,
        fontLoaded: document.fonts.check('16px "ODL Math"'),
        radicals: [...document.querySelectorAll('msqrt')].map(s => ({box: page(s), radicand: union([...s.children])})),
        fences: [...document.querySelectorAll('mo')].filter(o => {
          const kids = [...o.parentElement.children], c = o.textContent.trim();
          return c.length === 1 && '()[]'.includes(c) && kids.length > 2 && (kids[0] === o || kids[kids.length - 1] === o);
        }).map(o => ({char: o.textContent.trim(), box: page(o),
                      content: union([...o.parentElement.children].filter(k => k.tagName.toLowerCase() !== 'mo'))})),
        fontStatus: [...document.fonts].map(f => f.family + ':' + f.status),
        counterexamples: [...document.querySelectorAll('pre.repro')].length,
      };
    })()
""")


#: device pixels per CSS pixel of the screenshot: a radical in a script-size fraction is a few CSS px wide
SCALE = 2


def ink(image, x0: float, y0: float, x1: float, y1: float, dark: int = 140) -> tuple[set, set]:
    """The (columns, rows) of dark pixels inside a rectangle given in CSS pixels of the page."""
    box = (max(0, round(x0 * SCALE)), max(0, round(y0 * SCALE)), round(x1 * SCALE), round(y1 * SCALE))
    if box[2] <= box[0] or box[3] <= box[1]:
        return set(), set()
    region = image.crop(box)
    dark_pixels = [i for i, value in enumerate(region.tobytes()) if value < dark]  # mode "L": a byte a pixel
    return {i % region.width for i in dark_pixels}, {i // region.width for i in dark_pixels}


def radical_problems(radicals, image) -> list[str]:
    """Each <msqrt> must draw a radical sign left of its radicand, at least as tall (MathML makes it
    radicand + gap + rule; 0.95 allows for anti-aliasing), and a bar over most of the radicand."""
    problems = []
    for i, radical in enumerate(radicals):
        box, inner = radical["box"], radical["radicand"]
        _, rows = ink(image, box["x"], box["y"], inner["x"], box["y"] + box["h"])
        height = max(rows) - min(rows) + 1 if rows else 0
        if height < 0.95 * inner["h"] * SCALE:
            problems.append(f"msqrt #{i}: radical sign {height}px tall beside a radicand {inner['h'] * SCALE:.0f}px tall")
        columns, _ = ink(image, inner["x"], box["y"], inner["x"] + inner["w"], inner["y"] + 0.5)
        if len(columns) < 0.8 * inner["w"] * SCALE:
            problems.append(f"msqrt #{i}: no bar over the radicand ({len(columns)} ink columns)")
    return problems


def fence_problems(fences, image) -> list[str]:
    """Each parenthesis or bracket around taller content must stretch over most of its height."""
    problems = []
    for i, fence in enumerate(fences):
        box, content = fence["box"], fence["content"]
        top, bottom = min(box["y"], content["y"]) - 2, max(box["y"] + box["h"], content["y"] + content["h"]) + 2
        _, rows = ink(image, box["x"], top, box["x"] + box["w"], bottom)
        height = max(rows) - min(rows) + 1 if rows else 0
        if height < 0.8 * content["h"] * SCALE:
            problems.append(f"fence {fence['char']!r} #{i}: {height}px tall beside content {content['h'] * SCALE:.0f}px")
    return problems


@pytest.fixture
def falsified_report(tmp_path, repo_path):
    """A report of the descent lemma and the heavy-ball rate (held; the rate's formula has square
    roots in nested fractions) and the descent lemma's wrong variants (falsified)."""
    out = tmp_path / "report.html"
    variants = repo_path("tests", "variants", "descent_lemma_wrong.py")
    code = main(["check", "descent-lemma", "heavy-ball-rate",
                 *(f"{variants}:descent-lemma~{name}" for name in ("wrong-constant", "without-smoothness",
                                                                   "half-eta-up-to-2-over-beta")),
                 "--examples", "4", "--device", "cpu", "--report", str(out)])
    assert code == 1  # the variants are falsified
    return out


def test_report_renders_math_and_plots_offline_in_chromium(falsified_report, tmp_path, repo_path):
    browser = DevTools(str(tmp_path / "profile"))
    try:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            browser.send(f"{domain}.enable", session)
        browser.send("Emulation.setDeviceMetricsOverride", session, width=1200, height=900, deviceScaleFactor=SCALE,
                     mobile=False)
        browser.events.clear()
        browser.send("Page.navigate", session, url=falsified_report.as_uri())
        browser.wait_for("Page.loadEventFired")
        browser.send("Runtime.evaluate", session, expression="document.fonts.ready", awaitPromise=True)
        seen = browser.send("Runtime.evaluate", session, expression=PROBE, returnByValue=True)["result"]["value"]
        metrics = browser.send("Page.getLayoutMetrics", session)["cssContentSize"]
        # down to the last formula at least: the radicals and fences below are checked on this picture
        bottom = max(m["box"]["y"] + m["box"]["h"] for m in seen["radicals"] + seen["fences"]) + 20
        shot = browser.send("Page.captureScreenshot", session, format="png", captureBeyondViewport=True,
                            clip={"x": 0, "y": 0, "width": metrics["width"],
                                  "height": min(metrics["height"], max(bottom, 3000)), "scale": 1})
    finally:
        browser.close()
    os.makedirs(repo_path("reports"), exist_ok=True)
    with open(repo_path("reports", "browser-screenshot.png"), "wb") as handle:
        handle.write(base64.b64decode(shot["data"]))
    from PIL import Image
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("L")

    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == [], requests
    errors = [e["params"] for e in browser.events
              if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning"))
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))]
    assert errors == []

    # formulas are laid out as MathML (fractions stacked), not shown as source
    assert seen["mathDisplay"] == "block math"  # MathML Core layout, not an unknown element
    assert seen["maths"] and all(m["width"] > 0 and m["height"] > 0 for m in seen["maths"])
    assert seen["fracs"] and all(f["stacked"] for f in seen["fracs"])
    for source in ("\\frac", "\\geq", "\\eta", "<mi>", "<mrow", "&InvisibleTimes;"):
        assert source not in seen["text"]
    assert "\U0001D702" in seen["text"] and "\U0001D6FD" in seen["text"]  # η, β drawn as math italic
    assert seen["fontLoaded"], seen["fontStatus"]
    # every square root is drawn, sign and bar (the heavy-ball rate has eight), and every parenthesis
    # around a fraction stretches: the report shows the claim's formula, not (L/μ − 1)/(L/μ + 1)
    assert len(seen["radicals"]) >= 8 and radical_problems(seen["radicals"], image) == []
    assert len(seen["fences"]) >= 4 and fence_problems(seen["fences"], image) == []
    # plots are drawn, and the falsified variants show their counterexamples
    assert len(seen["plots"]) >= 4 and all(p["width"] > 100 and p["height"] > 80 and p["drawn"] for p in seen["plots"])
    verdicts = json.loads(falsified_report.with_suffix(".json").read_text())["verdicts"]
    falsified = sum(v["status"] == "falsified" for v in verdicts)
    assert falsified >= 3 and seen["counterexamples"] == falsified
    assert "Counterexample (shrunk; confirmed" in seen["text"]
