"""Cut the test mini-pack (``tests/data/minipack/``) out of the real data pack.

Run from the repository: ``python tests/data/make_minipack.py /path/to/data-pack``.
It needs ``osmium`` (osmium-tool) on the PATH. The output is committed; this script says how
it was made and remakes it when the pack changes.
"""

from __future__ import annotations

import bz2
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import pandas as pd

OUT = Path(__file__).resolve().parent / "minipack"
#: Pas-de-Calais (the camp; Hauts-de-France), Eure (Normandie: a second region for the
#: preferences), Seine-Saint-Denis (Saint-Denis), La Réunion (overseas: a commune without polygon).
DEPARTEMENTS = ("62", "27", "93", "974")
REGIONS = ("32", "28", "11")
ROAD_HULL = ("62", "27", "93")  # the major roads: the convex hull of these departments, 3 km wider
REGION_ROADS = ("62",)  # the region's roads (all classes): Pas-de-Calais only
L93 = 2154


def _geojson(gdf: gpd.GeoDataFrame, path: Path, *, tolerance: float) -> None:
    """Write boundaries simplified by `tolerance` degrees, coordinates to 5 decimals."""
    gdf = gdf.copy()
    gdf["geometry"] = gdf.geometry.simplify(tolerance, preserve_topology=True)
    data = json.loads(gdf.to_json(drop_id=True), parse_float=lambda s: round(float(s), 5))
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


def _polygon(pack: Path, codes: tuple[str, ...], *, hull: bool, buffer_m: float) -> dict:
    deps = gpd.read_file(pack / "departements/departements.geojson")
    shape = deps[deps["code"].isin(codes)].to_crs(L93).union_all()
    shape = (shape.convex_hull if hull else shape).buffer(buffer_m)
    shape = gpd.GeoSeries([shape], crs=L93).to_crs(4326).iloc[0].simplify(0.005)
    return {"type": "Feature", "properties": {}, "geometry": shape.__geo_interface__}


def _clip_ways(xml: Path) -> None:
    """Split each way at the nodes the cut left out, keeping the runs of two nodes or more."""
    tree = ElementTree.parse(xml)
    root = tree.getroot()
    nodes = {n.get("id") for n in root.iter("node")}
    next_id = 1 + max(int(w.get("id", "0")) for w in root.iter("way"))
    for way in list(root.iter("way")):
        refs = [nd.get("ref") for nd in way.iter("nd")]
        tags = [t for t in way if t.tag == "tag"]
        runs: list[list[str]] = [[]]
        for ref in refs:
            if ref in nodes:
                runs[-1].append(str(ref))
            elif runs[-1]:
                runs.append([])
        runs = [run for run in runs if len(run) >= 2]
        root.remove(way)
        for k, run in enumerate(runs):
            piece = ElementTree.SubElement(
                root, "way", id=way.get("id") if k == 0 else str(next_id)
            )
            next_id += k > 0
            for ref in run:
                ElementTree.SubElement(piece, "nd", ref=ref)
            piece.extend(tags)
    tree.write(xml, encoding="utf-8", xml_declaration=True)


def _roads(pack: Path, name: str, polygon: dict, formats: tuple[str, ...]) -> None:
    """The pack's road set `name` cut to `polygon` (ways clipped at its edge), in each format."""
    with tempfile.TemporaryDirectory() as tmp:
        poly = Path(tmp) / "cut.geojson"
        poly.write_text(json.dumps(polygon), encoding="utf-8")
        xml = Path(tmp) / f"{name}.osm"
        source = str(pack / f"roads/{name}.osm.pbf")
        subprocess.run(
            [
                "osmium",
                "extract",
                "-p",
                str(poly),
                "--strategy",
                "simple",
                "--overwrite",
                source,
                "-o",
                str(xml),
                "-f",
                "osm,add_metadata=false",
            ],
            check=True,
        )
        _clip_ways(xml)
        for fmt in formats:
            target = OUT / f"roads/{name}.{fmt}"
            if fmt == "osm":
                target.write_bytes(xml.read_bytes())
            elif fmt == "osm.bz2":
                target.write_bytes(bz2.compress(xml.read_bytes(), 9))
            else:
                subprocess.run(
                    [
                        "osmium",
                        "sort",
                        str(xml),
                        "-o",
                        str(target),
                        "--overwrite",
                        "-f",
                        "pbf,add_metadata=false",
                    ],
                    check=True,
                )


def _checksums() -> None:
    lines = []
    for path in sorted(OUT.rglob("*")):
        if path.is_file() and path.name not in ("SHA256SUMS", "README.md"):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            lines.append(f"{digest}  ./{path.relative_to(OUT).as_posix()}")
    (OUT / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(pack: Path) -> None:
    """Write every file of the mini-pack from the data pack at `pack`."""
    for sub in ("communes", "departements", "roads"):
        (OUT / sub).mkdir(parents=True, exist_ok=True)
    communes = pd.read_csv(pack / "communes/communes.csv", dtype=str, keep_default_na=False)
    communes = communes[communes["departement"].isin(DEPARTEMENTS)]
    communes.to_csv(OUT / "communes/communes.csv", index=False, lineterminator="\n")
    names = pd.read_csv(pack / "communes/communes-noms.csv", dtype=str, keep_default_na=False)
    names = names[names["code"].isin(set(communes["code"]))]
    names.to_csv(OUT / "communes/communes-noms.csv", index=False, lineterminator="\n")
    (OUT / "health").mkdir(exist_ok=True)
    sites = pd.read_csv(pack / "health/hospitals.csv", dtype=str, keep_default_na=False)
    sites = sites[sites["departement"].isin(DEPARTEMENTS)]
    sites.to_csv(OUT / "health/hospitals.csv", index=False, lineterminator="\n")
    deps = gpd.read_file(pack / "departements/departements.geojson")
    deps = deps[deps["code"].isin(DEPARTEMENTS)]
    _geojson(deps, OUT / "departements/departements.geojson", tolerance=0.0005)
    _geojson(deps, OUT / "departements/departements-simplifie.geojson", tolerance=0.003)
    regions = gpd.read_file(pack / "departements/regions-simplifie.geojson")
    regions = regions[regions["code"].isin(REGIONS)]
    _geojson(regions, OUT / "departements/regions-simplifie.geojson", tolerance=0.005)
    hull = _polygon(pack, ROAD_HULL, hull=True, buffer_m=3000)
    _roads(pack, "france-major-roads", hull, ("osm", "osm.pbf"))
    region = _polygon(pack, REGION_ROADS, hull=False, buffer_m=2000)
    _roads(pack, "hauts-de-france-roads", region, ("osm.bz2", "osm.pbf"))
    _checksums()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
