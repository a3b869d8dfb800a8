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
