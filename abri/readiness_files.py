"""The files of a readiness check: tables (CSV, one XLSX workbook), suggested centre rows, a JSON summary, a map.

Written by :func:`write_readiness` (``abri readiness -o DIR``) in French or
English. Besides the tables of places by group, ``readiness-needs.csv``
gives each need a place must meet (people, places within reach, short,
extra places and where) and ``readiness-pathways.csv`` the UK pathway,
medical transfers, accessible coaches and refusals per day.
``extra-centres.csv`` holds the extra places as centre rows, with their
accessible places, single rooms, Home Office interviews and the care
minutes of the centre they share a town with: appended to the centre file,
they make the scenario ready.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pandas as pd

from abri.constants import GROUPS
from abri.errors import DataFileError
from abri.files import CsvDialect, atomic_dir, atomic_path, safe_frame, write_csv, write_json
from abri.i18n import LANGS, MESSAGES
from abri.inputs.needs import CARE_KINDS
from abri.maps.capacity import write_capacity_map
from abri.readiness_result import Readiness

NEED_WORDS: dict[str, tuple[str, str]] = {
    "need": ("Besoin", "Need"),
    "available": ("Disponible", "Available"),
    "short": ("Manquant", "Short"),
    "add": ("À ajouter", "To add"),
    "where": ("Où", "Where"),
    "needs_sheet": ("Besoins", "Needs"),
    "accessible_places": ("Places accessibles", "Accessible places"),
    "extra_needs": (
        "Places à ouvrir répondant à un besoin (dont)",
        "Extra places meeting a need (of which)",
    ),
    "pathways_sheet": ("Parcours", "Pathways"),
    "accessible-place": ("place accessible (fauteuil)", "accessible place (wheelchair)"),
    "single-room": ("chambre individuelle", "single room"),
    "care:emergency": ("suivi urgences à portée", "emergency care within reach"),
    "care:maternity": ("maternité à portée", "maternity within reach"),
    "care:dialysis": ("dialyse à portée", "dialysis within reach"),
    "care:psychiatry": ("psychiatrie à portée", "psychiatry within reach"),
    "home-office": ("entretiens Home Office", "Home Office interviews"),
    "ride-limit": ("trajet limité", "limited ride"),
    "uk-quota": ("parcours Royaume-Uni (quota)", "UK pathway (quota)"),
    "medical-transfer": ("transfert médical", "medical transfer"),
    "accessible-coach": ("autocar accessible", "accessible coach"),
    "refusal": ("refus", "refusal"),
}
"""Words of the needs tables not (yet) in :data:`abri.i18n.MESSAGES` (French, English)."""

#: Headers of the suggested centre rows (aliases :func:`abri.geo.centres.read_centres` reads).
CENTRE_HEADERS = {
    "fr": (
        "id",
        "nom",
        "capacite",
        "code_insee",
        "type",
        "publics",
        "departement",
        "ouverture_date",
    ),
    "en": ("id", "name", "capacity", "insee", "type", "groups", "departement", "opens_on"),
}
#: Headers of the services of suggested centre rows (aliases of :mod:`abri.geo.services`).
SERVICE_HEADERS = {
    "fr": (
        "places_accessibles",
        "chambres_individuelles",
        "entretiens_home_office",
        *(f"soins_min_{k}" for k in ("urgences", "maternite", "dialyse", "psychiatrie")),
    ),
    "en": (
        "accessible_places",
        "single_rooms",
        "home_office",
        *(f"care_min_{k}" for k in CARE_KINDS),
    ),
}
CARE_COLUMNS = [f"care_min_{k}" for k in CARE_KINDS]


def _words(lang: str) -> dict[str, str]:
    """The readiness tables' headers and words in `lang` (from the one catalogue, :data:`abri.i18n.MESSAGES`)."""
    if lang not in LANGS:
        msg = f"`lang` is {lang!r}; expected one of {', '.join(LANGS)}"
        raise ValueError(msg)
    n = LANGS.index(lang)
    return {
        **{key: words[n] for key, words in NEED_WORDS.items()},
        **{
            key.removeprefix("readiness."): words[n]
            for key, words in MESSAGES.items()
            if key.startswith("readiness.")
        },
    }


def _date(value: str, lang: str) -> str:
    return f"{value[8:10]}/{value[5:7]}/{value[:4]}" if lang == "fr" and len(value) == 10 else value


def _localised(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table with its headers, group names, yes/no and dates in `lang`."""
    words = _words(lang)
    out = frame.reset_index() if frame.index.name else frame.copy()
    if "group" in out:
        out["group"] = out["group"].map(words)
    if "need" in out:
        out["need"] = out["need"].map(
            lambda v: " + ".join(words.get(t, t) for t in str(v).split(";") if t)
        )
    out = out.drop(
        columns=[c for c in (*CARE_COLUMNS, "detail") if c in out]
    )  # detail: English prose
    for col in ("day", "needed_by"):
        if col in out:
            out[col] = out[col].map(lambda v: _date(str(v), lang))
    if "available" in out:
        out["available"] = out["available"].map(lambda v: "" if math.isinf(float(v)) else int(v))
    if "ready" in out:
        out["ready"] = out["ready"].map({True: words["yes"], False: words["no"]})

    def header(col: str) -> str:
        for prefix, key in (("places_", "places_of"), ("extra_", "extra_of")):
            if col.startswith(prefix) and col[len(prefix) :] in GROUPS:
                return words[key].format(group=words[col[len(prefix) :]])
        return words.get(col, col)

    return out.rename(columns=header)


def _services(row: pd.Series) -> list[object]:
    """Accessible places, single rooms, Home Office interviews and care minutes of an extra centre row."""
    needs, places = str(row.get("need", "")).split(";"), int(row["places"])
    care = [row.get(c, math.nan) for c in CARE_COLUMNS]
    return [
        places if "accessible-place" in needs else 0,
        places if "single-room" in needs else 0,
        "oui" if "home-office" in needs else "",
        *("" if pd.isna(m) else round(float(m), 1) for m in care),
    ]


def extra_centres(result: Readiness, *, lang: str = "fr") -> pd.DataFrame:
    """The extra places as centre rows a planner can append to the centre file (one per department, group and need).

    With service columns (accessible places, single rooms, Home Office interviews, care minutes)
    when some extra places must meet a need.
    """
    words = _words(lang)
    extras = result.extras
    with_services = "need" in extras and bool((extras["need"] != "").any())
    rows = []
    for _, r in extras.iterrows():
        need = str(r.get("need", ""))
        slug = "".join(ch if ch.isalnum() else "-" for ch in need)
        rows.append(
            [
                f"EXTRA-{r['departement']}-{r['group']}" + (f"-{slug}" if need else ""),
                words["extra_name"].format(group=words[r["group"]], nom=r["nom"]),
                int(r["places"]),
                r["insee"],
                "CAOMI" if r["group"] == "minors" else "CAO",
                r["group"],
                r["departement"],
                r["needed_by"],
                *(_services(r) if with_services else []),
            ]
        )
    columns = [*CENTRE_HEADERS[lang], *(SERVICE_HEADERS[lang] if with_services else ())]
    return pd.DataFrame(rows, columns=columns)


def prefecture_rows(result: Readiness) -> pd.DataFrame:
    """One row per department for the prefecture summaries: ``departement``, ``nom``, ``region``, ``centres``, ``places``,
    ``places_<group>`` (places accepting the group), ``extra_<group>`` and ``extra`` (places to open), ``needed_by``."""
    return result.departements.reset_index()


def read_prefecture_rows(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """:func:`prefecture_rows` of a folder written by :func:`write_readiness` (``abri readiness -o``), from its readiness.json."""

    path = Path(folder) / "readiness.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["departements"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"{path}: not a readiness summary with per-department rows ({exc}); write one with `abri readiness SCENARIO -o DIR`"
        raise DataFileError(msg) from exc
    return pd.DataFrame(rows, dtype=object).astype({c: int for c in ("centres", "places", "extra")})


def extra_places_by_departement(result: Readiness) -> pd.Series:
    """Extra places to open per department code (for a map layer); zero where none."""
    return result.departements["extra"].rename("extra_places")


def write_readiness(
    result: Readiness,
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "fr",
    data_dir: str | os.PathLike[str] | None = None,
    with_map: bool = True,
) -> dict[str, Path]:
    """Write the tables (CSV and one XLSX workbook), the suggested centre rows, a JSON summary and (`with_map`) the capacity
    map with a layer of extra places by department into `out_dir`, whole or not at all."""

    words = _words(lang)
    dialect: CsvDialect = "excel-fr" if lang == "fr" else "default"
    tables = {
        "groups": result.groups,
        "days": result.days,
        "departements": result.departements,
        "regions": result.regions,
        "extras": result.extras,
        **{k: t for k, t in (("needs", result.needs), ("pathways", result.pathways)) if len(t)},
    }  # the needs and pathways tables when the people file gives them
    out = Path(out_dir)
    names: dict[str, str] = {}
    with atomic_dir(out) as tmp:
        for key, table in tables.items():
            names[key] = write_csv(
                tmp / f"readiness-{key}.csv", _localised(table, lang), dialect=dialect
            ).name
        with (
            atomic_path(tmp / "readiness.xlsx") as path,
            pd.ExcelWriter(path, engine="openpyxl") as book,
        ):
            for key, table in tables.items():
                safe_frame(_localised(table, lang)).to_excel(
                    book, sheet_name=words[f"{key}_sheet"], index=False
                )
        names["workbook"] = "readiness.xlsx"
        names["extra_centres"] = write_csv(
            tmp / "extra-centres.csv", extra_centres(result, lang=lang), dialect=dialect
        ).name
        summary = {
            "ready": result.ready,
            "unplaced": result.unplaced,
            "extra_places": int(result.extras["places"].sum()),
            "exact": result.exact,
            "travel": result.travel,
            "demand": result.source,
            "not_counted": result.not_counted,
            "seconds": result.seconds,
            "label": result.label,
            "operation": result.operation.reset_index().to_dict("records"),
            "reach": result.reach,
            "departements": prefecture_rows(result).to_dict("records"),
            "needs": result.needs.reset_index().to_dict("records") if len(result.needs) else [],
            "pathways": json.loads(result.pathways.to_json(orient="records"))
            if len(result.pathways)
            else [],
            "pathway_short": result.pathway_short,
            "unresolved": result.unresolved,
        }
        names["summary"] = write_json(tmp / "readiness.json", summary).name
        if with_map and result.centres is not None:
            origin = (*result.origin, "origin") if result.origin else None
            layer = {words["map_title"]: (extra_places_by_departement(result), words["map_legend"])}
            names["map"] = write_capacity_map(
                result.centres,
                tmp / "readiness-map.html",
                data_dir=data_dir,
                origin=origin,
                extra=layer,
                label=result.label,
            )[0].name
    return {key: out / name for key, name in names.items()}
