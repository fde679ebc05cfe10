"""Download the data pack's public files from their publishers (needs internet).

Offline use is the norm: abri reads its data directory and never downloads
by itself. ``abri data fetch`` is the explicit switch for a machine that
does have internet: it fetches the boundary and gazetteer files from their
publishers, writes each whole or not at all, and checks it against
``SHA256SUMS`` when the directory has one. The road files are built from
TravelMapping's route lists and have no single download; ``--download``
on the road commands fetches roads from OpenStreetMap instead.
"""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

from abri.errors import AbriError
from abri.files import write_atomic
from abri.geo.datadir import DATASETS, read_checksums, resolve_data_dir

FRANCE_GEOJSON = "https://raw.githubusercontent.com/gregoiredavid/france-geojson/master"
#: Where each downloadable dataset is published.
SOURCES: dict[str, str] = {
    "departements": f"{FRANCE_GEOJSON}/departements.geojson",
    "departements-simplifie": f"{FRANCE_GEOJSON}/departements-version-simplifiee.geojson",
    "regions-simplifie": f"{FRANCE_GEOJSON}/regions-version-simplifiee.geojson",
}


class FetchError(AbriError, OSError):
    """A dataset could not be downloaded or did not match its checksum."""


def fetch_dataset(name: str, data_dir: str | os.PathLike[str] | None = None, *, timeout: float = 60.0) -> Path:
    """Download dataset `name` into the data directory and return its path."""
    import hashlib

    if name not in SOURCES:
        msg = f"no download source for {name!r}; downloadable: {', '.join(SOURCES)} (roads: use --download on the road commands)"
        raise FetchError(msg)
    root = resolve_data_dir(data_dir)
    relative = DATASETS[name][0]
    url = SOURCES[name]
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed https URLs
            payload = response.read()
    except Exception as exc:  # no network, DNS, HTTP errors: all mean "could not download"
        msg = f"cannot download {name} from {url} ({type(exc).__name__}: {exc}); without internet, copy the data pack into {root}"
        raise FetchError(msg) from exc
    expected = read_checksums(root).get(relative)
    if expected and hashlib.sha256(payload).hexdigest() != expected:
        msg = f"{url}: downloaded file does not match SHA256SUMS for {relative}; the publisher's file has changed, nothing written"
        raise FetchError(msg)
    return write_atomic(root / relative, payload)
