"""Fetch the data pack's public files from their publishers (needs internet), checked, through pooch.

Offline use is the norm: abri reads its data directory and never downloads
by itself. ``abri data fetch NAME`` / ``--all`` is the explicit switch for a
machine that has internet. Each source is downloaded with pooch into a
temporary folder inside the data directory, checked (SHA-256 pinned in
:data:`SOURCES`; for OSM extracts that change daily, the publisher's own
``.md5`` file), converted from the publisher's format when needed, and only
then moved into place: a failed, refused or interrupted fetch writes nothing.
The fetched file's SHA-256 is added to the directory's ``SHA256SUMS``, so
``abri data status`` verifies it afterwards.

A mirror (``--mirror URL`` or ``$ABRI_FETCH_MIRROR``) serves the same file
names from elsewhere (an organisation's own server; the tests' local server).

Road sets of the pack (``france-major-roads``, ``france-all-roads``,
``europe-e-roads``) are converted from TravelMapping's HighwayData archive,
which changes with every edit (not pinned: its SHA-256 is recorded on
fetch). An OSM PBF extract of a region (``osm:REGION``, from Geofabrik) is
the full OpenStreetMap road data instead, read by ``--roads FILE.osm.pbf``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from abri.constants import LAMBERT93, WGS84
from abri.errors import FetchError
from abri.files import atomic_path, write_csv, write_text_atomic
from abri.geo.gazetteer import OTHER_COLUMNS
from abri.geo.names import names_from_etalab
from abri.inputs.datadir import DATASETS, read_checksums, resolve_data_dir, sha256_file

MIRROR_ENV = "ABRI_FETCH_MIRROR"
FRANCE_GEOJSON = "https://raw.githubusercontent.com/gregoiredavid/france-geojson/master"
ETALAB = "https://unpkg.com/@etalab/decoupage-administratif@6.0.0/data"
GEOFABRIK_EUROPE = "https://download.geofabrik.de/europe"
GEOFABRIK = f"{GEOFABRIK_EUROPE}/france"
OTHER_NAMES_FILE = DATASETS["communes-noms"][0].rsplit("/", 1)[-1]
TRAVELMAPPING = "https://github.com/TravelMapping/HighwayData/archive/refs/heads/master.zip"
#: Geofabrik's extracts: the whole country (``abri data fetch osm:france``, about 4.5 GB) and its
#: regions (``osm:nord-pas-de-calais``), overseas included.
OSM_COUNTRY = "france"
OSM_REGIONS = (
    OSM_COUNTRY,
    "alsace",
    "aquitaine",
    "auvergne",
    "basse-normandie",
    "bourgogne",
    "bretagne",
    "centre",
    "champagne-ardenne",
    "corse",
    "franche-comte",
    "haute-normandie",
    "ile-de-france",
    "languedoc-roussillon",
    "limousin",
    "lorraine",
    "midi-pyrenees",
    "nord-pas-de-calais",
    "pays-de-la-loire",
    "picardie",
    "poitou-charentes",
    "provence-alpes-cote-d-azur",
    "rhone-alpes",
    "guadeloupe",
    "guyane",
    "martinique",
    "mayotte",
    "reunion",
)


@dataclass(frozen=True)
class File:
    """One file as its publisher serves it."""

    url: str
    sha256: str | None = None  # pinned; None: checked against `md5_url` or not pinned
    md5_url: str | None = None  # the publisher's checksum file ("<md5>  <name>")

    @property
    def name(self) -> str:
        """The file name (also its name on a mirror)."""
        return self.url.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Source:
    """A dataset of the data directory and where it comes from."""

    target: str  # path inside the data directory
    files: tuple[File, ...]
    convert: Callable[[list[Path], Path], None] | None = (
        None  # publisher files -> target (default: copy the one file)
    )
    description: str = ""
    publisher: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    also: tuple[str, ...] = ()  # other files the converter writes beside `target` (checksummed too)


def communes_from_publishers(files: list[Path], out: Path) -> None:
    """The gazetteer (``communes.csv``) and its other names (``communes-noms.csv`` beside it).

    From Etalab's ``communes.json`` and the communes' polygons (GeoJSON). Each
    commune's point is a point inside its polygon (computed in Lambert-93);
    postcodes, region and population come from Etalab. Communes merged since
    the polygons' edition keep their codes, without population. Names are as
    written (with their article, from Etalab), and the other names (later
    names, former communes, municipal arrondissements) come from Etalab too
    (see :func:`abri.geo.names.names_from_etalab`). Both files are written, or
    neither.
    """
    import geopandas as gpd
    import pandas as pd

    etalab_path, polygons_path = files
    try:
        entries = json.loads(etalab_path.read_text(encoding="utf-8"))
        etalab = pd.DataFrame(entries)
        polygons = gpd.read_file(polygons_path)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        msg = f"{etalab_path.name} / {polygons_path.name}: not the publishers' formats (Etalab JSON list, GeoJSON polygons): {exc}"
        raise FetchError(msg) from exc
    for frame, name, cols in (
        (etalab, etalab_path.name, ("code", "departement", "region", "codesPostaux", "population")),
        (polygons, polygons_path.name, ("code", "nom")),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            msg = (
                f"{name}: missing field(s) {', '.join(missing)}; the publisher's format has changed"
            )
            raise FetchError(msg)
    if "type" in etalab.columns:
        etalab = etalab[etalab["type"] == "commune-actuelle"]
    points = polygons.to_crs(LAMBERT93).representative_point().to_crs(WGS84)
    codes = polygons["code"].astype(str)
    written, others = names_from_etalab(
        entries, dict(zip(codes.tolist(), polygons["nom"].astype(str).tolist(), strict=True))
    )
    table = pd.DataFrame(
        {
            "code": codes,
            "nom": codes.map(written),
            "lon": points.x.round(5),
            "lat": points.y.round(5),
        }
    )
    info = etalab.set_index(etalab["code"].astype(str))[
        ["departement", "region", "codesPostaux", "population"]
    ]
    table = table.join(info, on="code")
    table["departement"] = table["departement"].fillna(
        table["code"].str[:3].where(table["code"].str.startswith("97"), table["code"].str[:2])
    )
    table["codes_postaux"] = table.pop("codesPostaux").map(
        lambda v: " ".join(v) if isinstance(v, list) else ""
    )
    table = table[
        ["code", "nom", "departement", "region", "codes_postaux", "population", "lon", "lat"]
    ].sort_values("code")
    other_names = pd.DataFrame(others, columns=list(OTHER_COLUMNS))
    with atomic_path(out) as tmp, atomic_path(out.with_name(OTHER_NAMES_FILE)) as tmp_others:
        write_csv(tmp, table, dialect="default")  # the data pack's own format, whatever the user's
        write_csv(tmp_others, other_names, dialect="default")


#: TravelMapping systems of each road set, and the OSM road class each system is written with.
ROAD_SYSTEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "france-major-roads": ((r"fraa", "motorway"), (r"fran", "trunk")),
    "france-all-roads": (
        (r"fraa", "motorway"),
        (r"fran", "trunk"),
        (r"fra[a-z]{3}d\w*", "secondary"),
        (r"fra[a-z]{3}m\w*", "tertiary"),
    ),
    "europe-e-roads": ((r"eure", "trunk"),),
}


def roads_from_travelmapping(
    systems: tuple[tuple[str, str], ...],
) -> Callable[[list[Path], Path], None]:
    """A converter from TravelMapping's HighwayData archive (zip) to the pack's OSM XML for these systems.

    Each route file (``.wpt``: a waypoint label and an OSM permalink per line)
    becomes one way; waypoints with the same coordinates become one node, so
    routes that meet share their junction. Tags: ``highway`` from the system,
    ``ref`` and ``name`` from the route, ``source``.
    """

    def convert(files: list[Path], out: Path) -> None:
        import bz2
        import re
        import zipfile
        from xml.sax.saxutils import quoteattr

        with zipfile.ZipFile(files[0]) as archive:
            names = archive.namelist()
            csvs = {
                n.rsplit("/", 1)[-1][:-4]: n
                for n in names
                if "/hwy_data/_systems/" in f"/{n}" and n.endswith(".csv")
            }
            base = next((n.split("hwy_data/_systems/")[0] for n in csvs.values()), None)
            if base is None:
                msg = f"{files[0].name}: no hwy_data/_systems/ folder; not a TravelMapping HighwayData archive"
                raise FetchError(msg)
            nodes: dict[tuple[str, str], int] = {}
            ways: list[tuple[list[int], str, str, str]] = []
            for system in sorted(csvs):
                highway = next(
                    (cls for pattern, cls in systems if re.fullmatch(pattern, system)), None
                )
                if highway is None or system.endswith("_con"):
                    continue
                rows = archive.read(csvs[system]).decode("utf-8").splitlines()[1:]
                for row in rows:
                    cells = row.split(";")
                    if len(cells) < 7:
                        continue
                    region, route, root = cells[1], cells[2], cells[6]
                    member = f"{base}hwy_data/{region}/{system}/{root}.wpt"
                    if member not in archive.NameToInfo:
                        continue
                    refs = []
                    for line in archive.read(member).decode("utf-8", errors="replace").splitlines():
                        found = re.search(r"lat=(-?[\d.]+)&lon=(-?[\d.]+)", line)
                        if found:
                            key = (found[1], found[2])
                            refs.append(nodes.setdefault(key, len(nodes) + 1))
                    refs = [r for i, r in enumerate(refs) if i == 0 or r != refs[i - 1]]
                    if len(refs) >= 2:
                        ways.append((refs, highway, route, system))
        if not ways:
            msg = f"{files[0].name}: no route of the systems {', '.join(p for p, _ in systems)}"
            raise FetchError(msg)
        lines = [
            "<?xml version='1.0' encoding='UTF-8'?>",
            "<osm version='0.6' generator='abri wpt_to_osm'>",
        ]
        lines += [
            f"  <node id='{i}' lat='{lat}' lon='{lon}' version='1'/>"
            for (lat, lon), i in nodes.items()
        ]
        for number, (refs, highway, route, system) in enumerate(ways, 1):
            lines.append(f"  <way id='{number}' version='1'>")
            lines += [f"    <nd ref='{r}'/>" for r in refs]
            lines += [
                f"    <tag k='highway' v={quoteattr(highway)}/>",
                f"    <tag k='ref' v={quoteattr(route)}/>",
                f"    <tag k='name' v={quoteattr(route)}/>",
                f"    <tag k='source' v={quoteattr('TravelMapping HighwayData ' + system)}/>",
                "  </way>",
            ]
        lines.append("</osm>\n")
        data = "\n".join(lines).encode("utf-8")
        with atomic_path(out) as tmp:
            tmp.write_bytes(bz2.compress(data) if out.name.endswith(".bz2") else data)

    return convert


def _france_geojson(target: str, remote: str, sha256: str, description: str) -> Source:
    return Source(
        target,
        (File(f"{FRANCE_GEOJSON}/{remote}", sha256),),
        description=description,
        publisher="IGN ADMIN EXPRESS 2018 via france-geojson (Licence Ouverte)",
    )


#: Every fetchable dataset. The boundary files are pinned to the data pack's checksums.
SOURCES: dict[str, Source] = {
    "departements": _france_geojson(
        DATASETS["departements"][0],
        "departements.geojson",
        "6f551c26ebe6a02ebbab47ca4309b03a8a6c5b24d454713a00d921210c105279",
        DATASETS["departements"][1],
    ),
    "departements-simplifie": _france_geojson(
        DATASETS["departements-simplifie"][0],
        "departements-version-simplifiee.geojson",
        "c08a1ad48299763b50ef649f05a911c1021500c94719a1aa22a9d06191e43fc3",
        DATASETS["departements-simplifie"][1],
    ),
    "regions-simplifie": _france_geojson(
        DATASETS["regions-simplifie"][0],
        "regions-version-simplifiee.geojson",
        "3ad10f703df5dd1807062846f9dec05e4b5577da76177eedc548a7dbeb0e93c4",
        DATASETS["regions-simplifie"][1],
    ),
    "communes": Source(
        DATASETS["communes"][0],
        (File(f"{ETALAB}/communes.json"), File(f"{FRANCE_GEOJSON}/communes.geojson")),
        convert=communes_from_publishers,
        description=DATASETS["communes"][1],
        also=(DATASETS["communes-noms"][0],),
        publisher="Etalab decoupage-administratif 6.0.0 + IGN 2018 polygons (Licence Ouverte)",
    ),
    **{
        name: Source(
            DATASETS[name][0],
            (File(TRAVELMAPPING),),
            convert=roads_from_travelmapping(systems),
            description=DATASETS[name][1],
            publisher="TravelMapping HighwayData (waypoints referencing OpenStreetMap, ODbL)",
        )
        for name, systems in ROAD_SYSTEMS.items()
    },
}


def osm_source(region: str) -> Source:
    """The Geofabrik OSM PBF extract of France or of one of its regions, checked against Geofabrik's ``.md5``."""
    if region not in OSM_REGIONS:
        msg = f"unknown OSM region {region!r}; known: {', '.join(OSM_REGIONS)}"
        raise FetchError(msg)
    folder = GEOFABRIK_EUROPE if region == OSM_COUNTRY else GEOFABRIK
    url = f"{folder}/{region}-latest.osm.pbf"
    return Source(
        f"roads/{region}-latest.osm.pbf",
        (File(url, md5_url=f"{url}.md5"),),
        description=f"OpenStreetMap extract, {'the whole country' if region == OSM_COUNTRY else region}",
        publisher="Geofabrik (ODbL)",
    )


def source_for(name: str) -> Source:
    """The source of dataset `name` (``communes``, ``departements``..., ``osm:REGION``)."""
    if name.startswith("osm:"):
        return osm_source(name.removeprefix("osm:"))
    if name not in SOURCES:
        msg = f"no download source for {name!r}; fetchable: {', '.join(SOURCES)}, osm:REGION"
        raise FetchError(msg)
    return SOURCES[name]


def _url(file: File, mirror: str | None, url: str | None = None) -> str:
    url = url or file.url
    return f"{mirror.rstrip('/')}/{url.rsplit('/', 1)[-1]}" if mirror else url


def _download(
    url: str, known_hash: str | None, folder: Path, *, timeout: float, progress: bool
) -> Path:
    import pooch

    name = url.rsplit("/", 1)[-1]
    pooch.get_logger().setLevel("WARNING")
    try:
        return Path(
            pooch.retrieve(
                url,
                known_hash=known_hash,
                fname=name,
                path=folder,
                progressbar=progress,
                downloader=pooch.HTTPDownloader(timeout=timeout, progressbar=progress),
            )
        )
    except ValueError as exc:  # pooch: hash mismatch (the file is deleted)
        msg = f"{url}: refused, the downloaded file does not match its checksum ({exc}); nothing written"
        raise FetchError(msg) from exc
    except Exception as exc:  # no network, DNS, HTTP errors: all mean "could not download"
        msg = f"cannot download {url} ({type(exc).__name__}: {exc})"
        raise FetchError(msg) from exc


def _record_checksum(root: Path, relative: str, digest: str) -> None:
    sums = read_checksums(root)
    sums[relative] = digest
    write_text_atomic(
        root / "SHA256SUMS", "".join(f"{h}  ./{p}\n" for p, h in sorted(sums.items()))
    )


def fetch_dataset(
    name: str,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    mirror: str | None = None,
    timeout: float = 60.0,
    progress: bool = False,
) -> Path:
    """Download dataset `name` from its publisher (or `mirror`) into the data directory; return its path.

    Raises
    ------
    FetchError
        Unknown name, no network, a file that does not match its checksum
        (refused), or a publisher format abri cannot convert. Nothing is
        written in any of these cases.
    """
    source = source_for(name)
    mirror = mirror or os.environ.get(MIRROR_ENV) or None
    root = resolve_data_dir(data_dir)
    target = root / source.target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))
    except OSError as exc:
        msg = f"cannot write into the data directory {root} ({exc})"
        raise FetchError(msg) from exc
    try:
        paths = []
        for file in source.files:
            known = f"sha256:{file.sha256}" if file.sha256 else None
            if file.md5_url:
                md5_file = _download(
                    _url(file, mirror, file.md5_url), None, staging, timeout=timeout, progress=False
                )
                md5 = md5_file.read_text(encoding="ascii", errors="replace").split()
                if not md5 or len(md5[0]) != 32:
                    msg = f"{_url(file, mirror, file.md5_url)}: not a checksum file"
                    raise FetchError(msg)
                known = f"md5:{md5[0]}"
            try:
                paths.append(
                    _download(
                        _url(file, mirror), known, staging, timeout=timeout, progress=progress
                    )
                )
            except FetchError as exc:
                raise FetchError(
                    f"{name}: {exc}. Without internet, copy the data pack into {root}"
                ) from exc
        if source.convert is None:
            with atomic_path(target) as tmp:
                shutil.copyfile(paths[0], tmp)
        else:
            try:
                source.convert(paths, target)
            except FetchError:
                raise
            except (
                Exception
            ) as exc:  # a publisher's file abri cannot convert, whatever the parser raises
                msg = f"{name}: cannot convert the publisher's files ({type(exc).__name__}: {exc}); nothing written"
                raise FetchError(msg) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for written in (source.target, *source.also):
        _record_checksum(root, written, sha256_file(root / written))
    return target
