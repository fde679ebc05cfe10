"""Find the data pack and check its files.

The data directory is, in order: an explicit argument (the CLI's
``--data-dir``), the ``ABRI_DATA_DIR`` environment variable, then the
default: the repository's own ``data/`` folder when abri runs from a
checkout, the user's data directory (platformdirs, ``~/.local/share/abri``
on Linux) when it is installed from a wheel, never a folder inside
site-packages. Its layout is the data pack's:
``departements/``, ``communes/``, ``roads/``, ``health/`` and ``SHA256SUMS``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from abri.errors import MissingDataError

ENV_VAR = "ABRI_DATA_DIR"
CACHE_ENV_VAR = "ABRI_CACHE_DIR"
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the abri package folder
REPO_DIR = PACKAGE_DIR.parent
REPO_DATA_DIR = REPO_DIR / "data"

#: Every dataset abri knows, by name: relative path and what it holds.
DATASETS: dict[str, tuple[str, str]] = {
    "departements": ("departements/departements.geojson", "department boundaries (IGN 2018)"),
    "departements-simplifie": (
        "departements/departements-simplifie.geojson",
        "department boundaries, simplified for maps",
    ),
    "regions-simplifie": ("departements/regions-simplifie.geojson", "2016 regions, simplified"),
    "communes": ("communes/communes.csv", "commune gazetteer (INSEE)"),
    "communes-noms": ("communes/communes-noms.csv", "other names of communes (INSEE)"),
    "france-major-roads": ("roads/france-major-roads.osm", "autoroutes and routes nationales"),
    "france-all-roads": ("roads/france-all-roads.osm.bz2", "all mapped road classes, France"),
    "hauts-de-france-roads": (
        "roads/hauts-de-france-roads.osm.bz2",
        "all classes, Hauts-de-France",
    ),
    "europe-e-roads": ("roads/europe-e-roads.osm.bz2", "international E-roads, Europe"),
    "hospitals": (
        "health/hospitals.csv",
        "health establishments and their care (DREES SAE 2022, FINESS points)",
    ),
}


def installed(package_dir: Path = PACKAGE_DIR) -> bool:
    """True when abri runs from an installed wheel (inside site-packages), not from a checkout."""
    return any(part in ("site-packages", "dist-packages") for part in package_dir.parts)


def default_data_dir(package_dir: Path = PACKAGE_DIR) -> Path:
    """The data directory when none is given: ``data/`` of a checkout, else the user's data directory."""
    if installed(package_dir):
        import platformdirs

        return platformdirs.user_data_path("abri")
    return package_dir.parent / "data"


def user_cache_dir() -> Path:
    """Where built graphs and routing indexes are cached: ``$ABRI_CACHE_DIR``, else the user's cache directory."""
    env = os.environ.get(CACHE_ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_cache_path("abri")


def how_to_get(root: Path | None = None) -> str:
    """What to do when the data is missing, naming the real directory searched."""
    root = root or resolve_data_dir()
    return (
        f"Fetch the data from its publishers with `abri data fetch --all` (needs internet; writes into {root}), or copy the abri data pack there, "
        f"or point abri at a data pack with --data-dir DIR or the {ENV_VAR} environment variable."
    )


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory: the argument, then ``$ABRI_DATA_DIR``, then :func:`default_data_dir`."""
    if data_dir is not None and str(data_dir) != "":
        return Path(data_dir).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def __getattr__(name: str) -> str:
    if name == "HOW_TO_GET":  # kept for callers: the remedy naming the default directory
        return how_to_get()
    raise AttributeError(name)


def dataset_path(name: str, data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Path of dataset `name` in the data directory; raise if it is missing.

    Raises
    ------
    KeyError
        `name` is not a known dataset (the message lists the known ones).
    MissingDataError
        The file is not there; the message names the file, the directory
        searched and how to provide it.
    """
    if name not in DATASETS:
        msg = f"unknown dataset {name!r}; known datasets: {', '.join(sorted(DATASETS))}"
        raise KeyError(msg)
    root = resolve_data_dir(data_dir)
    path = root / DATASETS[name][0]
    if not path.is_file():
        msg = f"missing data file {DATASETS[name][0]} ({DATASETS[name][1]}) in data directory {root}. {how_to_get(root)}"
        raise MissingDataError(msg)
    return path


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_checksums(root: Path) -> dict[str, str]:
    """Expected checksums from ``SHA256SUMS``, keyed by relative path (empty if absent)."""
    sums = root / "SHA256SUMS"
    if not sums.is_file():
        return {}
    out: dict[str, str] = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            out[parts[1].removeprefix("./").lstrip("*")] = parts[0].lower()
    return out


@dataclass(frozen=True)
class DatasetStatus:
    """One line of ``abri data status``."""

    name: str
    path: str
    description: str
    present: bool
    size: int | None
    checksum: str  # "verified", "MISMATCH", "not listed", "-" (missing)


def data_status(
    data_dir: str | os.PathLike[str] | None = None, *, verify: bool = True
) -> list[DatasetStatus]:
    """Presence, size and checksum state of every dataset in the data directory."""
    root = resolve_data_dir(data_dir)
    expected = read_checksums(root)
    rows = []
    for name, (rel, description) in DATASETS.items():
        path = root / rel
        if not path.is_file():
            rows.append(DatasetStatus(name, rel, description, False, None, "-"))
            continue
        if rel not in expected:
            state = "not listed"
        elif not verify:
            state = "not checked"
        else:
            state = "verified" if sha256_file(path) == expected[rel] else "MISMATCH"
        rows.append(DatasetStatus(name, rel, description, True, path.stat().st_size, state))
    return rows
