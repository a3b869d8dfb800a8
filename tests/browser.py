"""A real browser for tests: Playwright driving Debian's Chromium (no browser download).

Where Chromium or Playwright is missing, tests skip and say why; under CI=true they fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.components import require_component

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def launch(playwright):
    """Chromium, or a skip (a failure in CI) saying what is missing."""
    require_component("Chromium", Path(CHROMIUM).exists(), "apt-get install chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def playwright_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def open_page(browser, url: str, viewport: dict) -> tuple:
    """The page at `url` and the console errors it logged."""
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, errors


def horizontal_overflow(page) -> int:
    """How many pixels the document is wider than the viewport (0: none)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# Every visible piece of text (HTML and SVG), as the browser lays it out: the lines under `min_height`
# px high, and the elements reaching past the viewport's right edge outside a table that scrolls.
_LAYOUT_PROBE = """(minHeight) => {
  const vw = document.documentElement.clientWidth;
  const small = [], wide = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('details:not([open]), title, style')) continue;
    if (!el.checkVisibility()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    // A thousandth of a pixel under is subpixel placement (a line box at y = 158.0002), not a smaller font.
    const low = [...range.getClientRects()].find(r => r.width > 0 && r.height < minHeight - 0.001);
    if (low) small.push(`${el.tagName} "${node.textContent.trim().slice(0, 30)}" ${low.height.toFixed(1)} px`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right > vw + 1 && !el.closest('.table-wrap')) {
      wide.push(`${el.tagName}.${el.className}`);
    }
  }
  return {small, wide};
}"""


def small_texts(page, min_height: float = 12.0) -> list[str]:
    """The visible text lines whose box is under `min_height` px high (SVG text included)."""
    return page.evaluate(_LAYOUT_PROBE, min_height)["small"]


def wider_than_viewport(page) -> list[str]:
    """Elements reaching past the viewport's right edge, other than inside a table that scrolls."""
    return page.evaluate(_LAYOUT_PROBE, 0)["wide"]


def scrolling_tables_without_a_cue(page) -> int:
    """Tables wider than their box (they scroll sideways) with no visible hint just before them."""
    return page.evaluate(
        """[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth)
             .filter(w => { const h = w.previousElementSibling;
                            return !(h && h.classList.contains('scroll-hint') && h.checkVisibility()); })
             .length"""
    )
