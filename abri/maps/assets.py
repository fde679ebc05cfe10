"""Offline assets: Leaflet and MarkerCluster inlined from PyPI packages (XStatic).

A folium map normally links Leaflet, jQuery, Bootstrap and icon fonts from
CDNs, and shows nothing offline. abri's maps inline Leaflet and
Leaflet.markercluster (from the ``xstatic-leaflet`` and
``xstatic-leaflet-markercluster`` packages), embed Leaflet's images as data
URIs, and use no element that needs jQuery, Bootstrap or icon fonts. The
default asset lists are emptied on each instance, never on the class.
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure


@lru_cache(maxsize=1)
def _leaflet_dirs() -> tuple[Path, Path]:
    try:
        import xstatic.pkg.leaflet as leaflet
        import xstatic.pkg.leaflet_markercluster as cluster
    except ImportError as exc:  # pragma: no cover - a dependency of abri
        msg = "abri's offline maps need the packages xstatic-leaflet and xstatic-leaflet-markercluster (pip install abri)"
        raise ImportError(msg) from exc
    return Path(leaflet.BASE_DIR), Path(cluster.BASE_DIR)


def _inline_images(css: str, folder: Path) -> str:
    def data_uri(match: re.Match[str]) -> str:
        path = folder / match.group(1)
        if not path.is_file():
            return match.group(0)
        return f"url(data:image/png;base64,{base64.b64encode(path.read_bytes()).decode('ascii')})"

    return re.sub(r"url\(\s*['\"]?(images/[^'\")]+)['\"]?\s*\)", data_uri, css)


@lru_cache(maxsize=1)
def inline_assets() -> str:
    """One HTML snippet with Leaflet, MarkerCluster and abri.js / abri.css inlined."""
    leaflet, cluster = _leaflet_dirs()
    css = _inline_images((leaflet / "leaflet.css").read_text(encoding="utf-8"), leaflet)
    css += (cluster / "MarkerCluster.css").read_text(encoding="utf-8")
    css += (cluster / "MarkerCluster.Default.css").read_text(encoding="utf-8")
    js = (leaflet / "leaflet.js").read_text(encoding="utf-8")
    js += "\n" + (cluster / "leaflet.markercluster.js").read_text(encoding="utf-8")
    icons = {
        key: f"data:image/png;base64,{base64.b64encode((leaflet / 'images' / name).read_bytes()).decode('ascii')}"
        for key, name in (
            ("iconUrl", "marker-icon.png"),
            ("iconRetinaUrl", "marker-icon-2x.png"),
            ("shadowUrl", "marker-shadow.png"),
        )
    }
    js += (
        "\nL.Icon.Default.mergeOptions(" + json.dumps(icons) + ");"
    )  # default markers need no file either
    here = Path(__file__).resolve().parent
    css += (here / "abri.css").read_text(
        encoding="utf-8"
    )  # abri's own style and script: one file each
    js += "\n" + (here / "abri.js").read_text(encoding="utf-8")
    js = js.replace("</script", "<\\/script")
    return f"<style>{css}</style>\n<script>{js}</script>"


def offline_map(**kwargs: Any) -> folium.Map:
    """A folium Map whose scripts and styles are inlined (no CDN); kwargs go to ``folium.Map``."""
    fmap = folium.Map(**kwargs)
    fmap.default_js = []
    fmap.default_css = []
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.header.add_child(Element(inline_assets()), name="abri_offline_assets", index=0)
    return fmap
