"""Open abri's HTML maps in headless Chromium (Playwright) with the network blocked, and look at what is drawn."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {"laptop": (1366, 768), "phone": (400, 800)}


def chromium_path() -> str | None:
    """Debian's Chromium, installed by .ci/run."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Visit:
    """What happened when a page was opened."""

    page: Any
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)  # requests that tried to leave the machine
    dialogs: list[str] = field(default_factory=list)

    def count(self, selector: str) -> int:
        return int(self.page.locator(selector).count())

    def settle(self) -> None:
        """Wait until no animation or transition runs (zoom, pan, fades): the page shows its final state."""
        settle(self.page)

    def shot(self, path: Path | None) -> None:
        """A screenshot of the page as it is now, for people to look at."""
        if path is not None:
            self.settle()
            path.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(path))

    def close(self) -> None:
        self.page.context.close()


def open_map(
    browser: Any,
    path: Path,
    screenshot: Path | None = None,
    *,
    viewport: tuple[int, int] = (1366, 768),
) -> Visit:
    """Open `path` with every non-file request aborted and recorded; wait until abri has drawn the map."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    visit = Visit(page)

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            visit.outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page.on("pageerror", lambda exc: visit.errors.append(str(exc)))
    page.on("console", lambda msg: visit.errors.append(msg.text) if msg.type == "error" else None)

    def on_dialog(dialog: Any) -> None:
        visit.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_selector(".abri-legend")
    visit.settle()
    visit.shot(screenshot)
    return visit


IDLE = """() => !document.querySelector('.leaflet-zoom-anim, .leaflet-pan-anim')
    && document.getAnimations().every(a => a.playState !== 'running')"""


def settle(page: Any) -> None:
    """Wait until Leaflet's zoom or pan and every CSS animation or transition has ended (an element's state, not a time)."""
    page.wait_for_function(IDLE)


def boxes(page: Any, selector: str) -> list[dict[str, Any]]:
    """Bounding boxes (x, y, w, h, name) of the visible elements matching `selector`."""
    return list(
        page.evaluate(
            """sel => Array.from(document.querySelectorAll(sel)).map(e => {
        const r = e.getBoundingClientRect();
        return {x: r.x, y: r.y, w: r.width, h: r.height, name: e.className.toString().slice(0, 60)};
      }).filter(b => b.w > 0 && b.h > 0)""",
            selector,
        )
    )


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two boxes share any area."""
    return bool(
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def click_on_path(page: Any, selector: str) -> int:
    """Click a point on the first visible SVG path matching `selector` that is on top there; its index."""
    point = page.evaluate(
        """sel => {
        const paths = Array.from(document.querySelectorAll(sel));
        for (let i = 0; i < paths.length; i++) {
          const p = paths[i], n = p.getTotalLength();
          for (const f of [0.5, 0.35, 0.65, 0.2, 0.8]) {
            const q = p.getPointAtLength(f * n), m = p.getScreenCTM();
            const x = q.x * m.a + q.y * m.c + m.e, y = q.x * m.b + q.y * m.d + m.f;
            if (x > 0 && y > 0 && x < innerWidth && y < innerHeight && document.elementFromPoint(x, y) === p) { return [x, y, i]; }
          }
        }
        return null;
      }""",
        selector,
    )
    assert point is not None, f"no clickable point on {selector}"
    page.mouse.move(point[0], point[1])
    page.mouse.click(point[0], point[1])
    return int(point[2])
