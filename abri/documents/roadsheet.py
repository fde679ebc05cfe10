"""Coach road sheets a crew drives from: each stop's address, GPS point, ``geo:`` link and QR code, contacts, breaks, roads.

A break is named by the service area, rest area, motorway junction or fuel station where it falls
when the plan folder holds the places along its trips (``roadside.csv``, from an OSM road file:
:mod:`abri.routing.roadside`), else by the town near it.

A road sheet is for the coach company: it carries ids and head counts by group, never anything
about a person's health (what a centre must prepare for is on the centre's sheet). The one
operational trace of a need is "accessible coach: N wheelchair places used" (see
``docs/privacy.md``); a watch point of kind ``need`` names no coach, so none reaches a road sheet.
"""

from __future__ import annotations

import unicodedata
from html import escape
from typing import Any

import pandas as pd

from abri.documents.alerts import alerts_section
from abri.documents.html import facts, ids_by, sheet, value_text
from abri.documents.places import (
    Roadside,
    Towns,
    break_points,
    geo_link,
    gps_text,
    readable_roads,
    roadside_name,
)
from abri.documents.qr import svg as qr_svg
from abri.documents.tables import GROUP_KEYS, PlanFolder, wheelchairs
from abri.i18n import format_date, format_duration, format_number, translate

ADDRESS_WORDS = ("adresse", "address", "rue", "street")
CONTACT_WORDS = ("tel", "phone", "portable", "mobile", "contact", "mail", "courriel", "responsable")
QR_MM = 18.0


def _plain(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return text


def address_columns(columns: list[str]) -> list[str]:
    """The centre file's columns that hold an address (``adresse``, ``address``...)."""
    return [c for c in columns if any(w in _plain(c) for w in ADDRESS_WORDS)]


def contact_columns(columns: list[str]) -> list[str]:
    """The columns that hold a contact (phone, name of the person to call, e-mail)."""
    return [c for c in columns if any(w in _plain(c) for w in CONTACT_WORDS)]


def _given(value: Any) -> bool:
    return str(value) not in ("", "nan", "None", "<NA>")


def _point(pf: PlanFolder, centre_id: str) -> tuple[float, float] | None:
    if centre_id not in pf.centres.index:
        return None
    row = pf.centres.loc[centre_id]
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    return None if lat != lat or lon != lon else (lat, lon)


def where_cell(pf: PlanFolder, row: pd.Series, lang: str) -> str:
    """A stop's place: centre, address (when the centre file gives one), GPS point and its ``geo:`` link, contacts."""
    parts = [
        f"<b>{escape(row['centre_name'])}</b> ({escape(row['centre_id'])}), "
        f"{escape(row['commune'])} {escape(row['departement'])}"
    ]
    for column in address_columns(pf.centre_extra):
        if _given(row[column]):
            parts.append(f'<span class="address">{escape(str(row[column]))}</span>')
    point = _point(pf, row["centre_id"])
    if point is not None:
        link = geo_link(*point)
        parts.append(
            f'{translate("gps", lang)}: <a class="gps" href="{link}" title="{translate("open_map", lang)}">{gps_text(*point)}</a>'
        )
    contacts = [
        f"{escape(c)}: {escape(str(row[c]))}"
        for c in contact_columns(pf.centre_extra)
        if _given(row[c])
    ]
    if contacts:
        parts.append(f'<span class="contact">{" · ".join(contacts)}</span>')
    return "<br>".join(parts)


def qr_cell(pf: PlanFolder, centre_id: str) -> str:
    """The QR code of the stop's ``geo:`` point (empty without a point)."""
    point = _point(pf, centre_id)
    if point is None:
        return ""
    link = geo_link(*point)
    return f'<a href="{link}" data-geo="{link}">{qr_svg(link, size_mm=QR_MM, title=link)}</a>'


def break_text(
    brk: dict[str, Any], towns: Towns, lang: str
) -> tuple[str, tuple[float, float] | None]:
    """What a break row says, and the GPS point it links to.

    The roadside place where the break falls (service or rest area, motorway junction, fuel
    station) with the town near it; else the town near the break's point; else only time and km.
    """
    values = {"minutes": brk["minutes"], "time": brk["time"], "km": format_number(brk["km"], lang)}
    if brk["lat"] is None:
        return translate("break_at_road", lang, **values), None
    stop = brk.get("place")
    lat, lon = (stop["lat"], stop["lon"]) if stop else (brk["lat"], brk["lon"])
    town = towns.near(lon, lat)
    if not stop:
        return translate("break_at", lang, place=town or gps_text(lat, lon), **values), (lat, lon)
    place = roadside_name(stop, lang)
    if town:
        place += ", " + translate("near_town", lang, town=town)
    return translate("break_stop", lang, place=place, **values), (lat, lon)


def break_row(brk: dict[str, Any], towns: Towns, width: int, lang: str) -> str:
    """A table row for one driver break: time, km from departure, the place where it falls and its GPS link."""
    said, point = break_text(brk, towns, lang)
    text = escape(said)
    if point is not None:
        link = geo_link(*point)
        text += f' — <a class="gps" href="{link}">{gps_text(*point)}</a>'
    return f'<tr class="break"><td></td><td colspan="{width - 1}"><b>{text}</b></td></tr>'


def contacts_block(pf: PlanFolder, first: pd.Series, lang: str) -> str:
    """Whom the crew calls: the dispatcher, then the coach company's roster columns (company, plate, phones)."""
    pairs = []
    if pf.dispatcher:
        pairs.append((translate("dispatcher", lang), escape(pf.dispatcher)))
    roster = list(pf.roster.columns) if pf.roster is not None else []
    pairs += [(escape(c), escape(str(first[c]))) for c in roster if _given(first[c])]
    if not pairs:
        return ""
    return f"<h2>{translate('contacts', lang)}</h2>" + facts(pairs)


def accessible_line(pf: PlanFolder, trip: dict[str, Any], lang: str) -> str:
    """ "Accessible coach: N wheelchair places used" for an accessible trip (or one carrying a wheelchair user), else ``""``."""
    n = wheelchairs(pf, [p for stop in trip["stops"] for p in stop["people"]])
    if not n and trip.get("vehicle_kind") != "accessible":
        return ""
    return f'<p class="accessible"><b>{escape(translate("accessible_coach", lang, n=n))}</b></p>'


def _trip_facts(pf: PlanFolder, trip: dict[str, Any], part: pd.DataFrame, lang: str) -> str:
    first = part.iloc[0]
    pairs = [
        (translate("day", lang), format_date(first["day"], lang)),
        *(
            (translate(k, lang), value_text(first[k], k, lang))
            for k in ("vehicle", "slot", "bay", "boarding")
        ),
        (translate("departure", lang), f"{escape(first['departure'])} ({escape(pf.origin)})"),
        (translate("drivers", lang), str(first["drivers"])),
        (translate("people", lang), format_number(part["total"].sum(), lang)),
        (translate("km", lang), format_number(trip.get("km", 0), lang)),
        (translate("breaks", lang), str(int(trip.get("breaks", 0)))),
        *(
            (translate(k, lang), value_text(first[k], k, lang))
            for k in (
                "end",
                "rest_where",
                "return_km",
                "return_h",
                "return",
                "free_at",
                "free_where",
            )
        ),
    ]
    return facts(pairs) + accessible_line(pf, trip, lang)


def _itinerary(
    pf: PlanFolder,
    trip: dict[str, Any],
    part: pd.DataFrame,
    towns: Towns,
    roadside: Roadside,
    lang: str,
) -> str:
    columns = ("stop", "centre_name", "arrival", "people", "leg", "gps")
    line = pf.lines.get(str(trip["coach"]))
    breaks = break_points(trip, line, pf.rules, roadside=roadside)
    rows = []
    for _, r in part.iterrows():
        rows += [break_row(b, towns, len(columns), lang) for b in breaks if b["stop"] == r["stop"]]
        groups = "<br>".join(f"{escape(translate(g, lang))}: {r[g]}" for g in GROUP_KEYS if r[g])
        rows.append(
            f'<tr class="stop" data-stop="{r["stop"]}"><td class="n">{r["stop"]}</td><td>{where_cell(pf, r, lang)}</td>'
            f'<td class="n"><b>{escape(r["arrival"])}</b></td>'
            f'<td class="n"><b>{r["total"]}</b><br><span class="small">{groups}</span></td>'
            f'<td class="n">{format_number(r["leg_km"], lang, digits=1)} km<br>{format_duration(r["leg_h"], lang)}</td>'
            f'<td class="qr">{qr_cell(pf, r["centre_id"])}</td></tr>'
        )
    head = "".join(f"<th>{escape(translate(c, lang))}</th>" for c in columns)
    return (
        f"<h2>{translate('itinerary', lang)}</h2>"
        f'<table class="itinerary"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _roads(pf: PlanFolder, part: pd.DataFrame, lang: str) -> str:
    main, local = readable_roads(" ".join(r for r in part["roads"] if r))
    out = ""
    if main:
        out += f'<p class="roads"><b>{translate("main_roads", lang)}</b>: {escape(" → ".join(main))}</p>'
    if local:
        out += f'<p class="small">{translate("local_roads", lang)}: {escape(", ".join(local))}</p>'
    return out


def road_sheets(
    stops: pd.DataFrame, alerts: list[dict[str, Any]], pf: PlanFolder, towns: Towns, lang: str
) -> list[str]:
    """One sheet per coach: the trip, contacts, watch points, stops with where to go, breaks, roads, boarding list."""
    by_trip = {str(t["coach"]): t for t in pf.trips}
    roadside = Roadside.load(pf.folder)
    coaches = list(dict.fromkeys(stops["coach"])) if len(stops) else []
    by_coach = dict(tuple(stops.groupby("coach", sort=False))) if len(stops) else {}
    out = []
    for n, coach in enumerate(coaches, start=1):
        part = by_coach[coach]
        trip = by_trip[coach]
        warning = ""
        if not trip.get("legal", True):  # the planner must see why before handing the sheet over
            warning = f'<p class="warn"><b>{translate("not_legal", lang)}</b>: {escape(" | ".join(map(str, trip.get("notes", []))))}</p>'
        body = (
            _trip_facts(pf, trip, part, lang)
            + warning
            + alerts_section(alerts, pf, lang, where={"coach": coach})
            + contacts_block(pf, part.iloc[0], lang)
            + _itinerary(pf, trip, part, towns, roadside, lang)
            + _roads(pf, part, lang)
            + f"<h2>{translate('boarding_list', lang)}</h2>"
            + ids_by(part, translate("stop", lang) + " {stop}: {centre_id}")
        )
        out.append(
            sheet(
                "coach",
                coach,
                f"{translate('road_sheet', lang)} — {translate('coach', lang)} {coach}",
                body,
                number=n,
                count=len(coaches),
                label=pf.label,
                lang=lang,
            )
        )
    return out
