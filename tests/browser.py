"""Open abri's HTML maps in headless Chromium (Playwright) with the network blocked."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str | None:
    """Debian's Chromium, installed by .ci/run."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Visit:
    """What happened when a page was opened."""

    page: object
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # requests that tried to leave the machine
    dialogs: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()  # type: ignore[attr-defined]


def open_map(browser, path: Path, screenshot: Path | None = None) -> Visit:  # type: ignore[no-untyped-def]
    """Open `path` with every non-file request aborted and recorded; wait until Leaflet has drawn."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    visit = Visit(page)

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            visit.outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page.on("pageerror", lambda exc: visit.errors.append(str(exc)))
    page.on("console", lambda msg: visit.errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))
    start = time.perf_counter()
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-container")
    visit.seconds = time.perf_counter() - start
    page.wait_for_timeout(300)
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    return visit
