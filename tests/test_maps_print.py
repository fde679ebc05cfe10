"""The plan map printed to PDF by Chromium (A4 landscape), from a laptop (1366x768) and a phone (400x800):
the whole of metropolitan France on the page, not cut in the east, not tiny, nothing printed over it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from browser import VIEWPORTS, open_map, overlaps  # type: ignore[import-not-found]
from pypdf import PdfReader

from abri.maps.plan import write_plan_map

pytestmark = pytest.mark.slow

EXTREMES = [
    "Finistère",
    "Nord",
    "Bas-Rhin",
    "Alpes-Maritimes",
    "Pyrénées-Orientales",
    "Haute-Corse",
]
A4_LANDSCAPE_PT = (841.9, 595.3)

# Registered after abri's own listener: what the page lays out for the printer, once abri has refitted it.
RECORD = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; };
  const shown = e => getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 0;
  window.addEventListener('beforeprint', () => {
    const depts = Array.from(document.querySelectorAll('path.abri-dept')).map(box);
    const x = Math.min(...depts.map(b => b.x)), y = Math.min(...depts.map(b => b.y));
    window.abriPrinted = {
      map: box(document.querySelector('.leaflet-container')),
      france: {x: x, y: y, w: Math.max(...depts.map(b => b.x + b.w)) - x, h: Math.max(...depts.map(b => b.y + b.h)) - y},
      controls: Array.from(document.querySelectorAll('.leaflet-control')).filter(shown)
        .map(e => Object.assign(box(e), {name: e.className})),
      names: Array.from(document.querySelectorAll('.abri-name-dept span')).filter(shown).map(e => e.textContent),
    };
  });
}"""


@pytest.fixture(scope="module")
def plan_map(
    small_scenario: Path, datapack: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The small scenario's plan map, in French (the documents' language), on the national pack's departments."""
    from abri.pipeline import run_plan, write_run

    folder = tmp_path_factory.mktemp("print") / "plan"
    write_run(run_plan(small_scenario, roads="france-major-roads", progress=False), folder)
    [path] = write_plan_map(folder, folder.parent / "plan.html", data_dir=datapack, lang="fr")
    return path


def printed_words(pdf: bytes) -> tuple[int, tuple[float, float], dict[str, tuple[float, float]]]:
    """Pages, the first page's size (pt) and where each word of it is printed (pt from bottom left)."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    words: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        x, y = tm[4], tm[5]
        words.setdefault(
            text.strip(), (x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5])
        )

    page.extract_text(visitor_text=visit)
    return len(reader.pages), (float(page.mediabox.width), float(page.mediabox.height)), words


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_printed_plan_map_holds_all_of_france(browser, plan_map: Path, viewport: str) -> None:  # type: ignore[no-untyped-def]
    visit = open_map(browser, plan_map, viewport=VIEWPORTS[viewport])
    try:
        page = visit.page
        page.evaluate(RECORD)
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        printed = page.evaluate("window.abriPrinted")
        pages, (width, height), words = printed_words(pdf)
        assert pages == 1 and (width, height) == pytest.approx(A4_LANDSCAPE_PT, abs=1)
        # every department named on the paper is printed inside the page: nothing cut in the east
        names = printed["names"]
        assert len(names) >= 90 and set(EXTREMES) <= set(names)
        far = (-1.0, -1.0)  # a name not printed at all was clipped off the page
        outside = [
            n
            for n in names
            if not (0 < words.get(n, far)[0] < width and 0 < words.get(n, far)[1] < height)
        ]
        assert outside == []
        xs = [words[n][0] for n in EXTREMES]
        ys = [words[n][1] for n in EXTREMES]
        assert (max(xs) - min(xs)) > 0.45 * width and (max(ys) - min(ys)) > 0.6 * height  # not tiny
        # laid out for the paper, not the screen: France inside the map, filling its height or width
        frame, france = printed["map"], printed["france"]
        assert frame["w"] == pytest.approx((width - 2 * 8 / 25.4 * 72) * 4 / 3, abs=2)
        assert france["x"] >= 0 and france["x"] + france["w"] <= frame["w"]
        assert france["y"] >= 0 and france["y"] + france["h"] <= frame["h"]
        assert france["h"] > 0.8 * frame["h"] or france["w"] > 0.8 * frame["w"]
        # title, legend, scale and sources are printed beside France, not over it
        names_over = [c["name"] for c in printed["controls"] if overlaps(c, france)]
        assert names_over == [] and not any("abri-panel" in c["name"] for c in printed["controls"])
        assert "Calais" in words
        # back on screen the map is the screen's again
        assert (
            page.evaluate("document.querySelector('.leaflet-container').clientWidth")
            == (VIEWPORTS[viewport][0])
        )
        assert visit.errors == []
    finally:
        visit.close()
