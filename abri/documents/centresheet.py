"""Centre arrival sheets: every coach arriving, when, who (grouped by household), the places left, the watch points."""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from abri.documents.alerts import alerts_section
from abri.documents.html import extras, facts, sheet, table
from abri.documents.tables import GROUP_KEYS, PlanFolder
from abri.i18n import format_number, translate


def household_table(person_ids: str, pf: PlanFolder) -> pd.DataFrame:
    """The people of one arrival by household: id, size, group(s), person ids, largest first.

    People travelling alone are one row per group (household ``""``, size: how many).
    """
    households: dict[str, list[str]] = {}
    for person in person_ids.split():
        households.setdefault(pf.households.get(person) or person, []).append(person)
    rows: list[dict[str, Any]] = []
    singles: dict[str, list[str]] = {}
    for household, people in households.items():
        if len(people) == 1:
            singles.setdefault(pf.person_groups.get(people[0], ""), []).extend(people)
            continue
        groups = dict.fromkeys(pf.person_groups.get(p, "") for p in people)
        rows.append(
            {
                "household": household,
                "size": len(people),
                "group": ", ".join(g for g in groups if g),
                "person_ids": " ".join(people),
            }
        )
    rows.sort(key=lambda r: (-int(r["size"]), str(r["household"])))
    rows += [
        {"household": "", "size": len(people), "group": group, "person_ids": " ".join(people)}
        for group, people in sorted(singles.items())
    ]
    return pd.DataFrame(rows, columns=["household", "size", "group", "person_ids"])


def households_html(part: pd.DataFrame, pf: PlanFolder, lang: str, roster: list[str]) -> str:
    """Per arriving coach, its people grouped by household (largest first) with sizes and groups."""
    head = "".join(
        f"<th>{escape(translate(c, lang))}</th>"
        for c in ("household", "size", "group", "person_ids")
    )
    out = []
    for r in part.to_dict("records"):
        rows = []
        for h in household_table(r["person_ids"], pf).to_dict("records"):
            name = h["household"] or f"— ({translate('singles', lang)})"
            groups = ", ".join(
                translate(g.strip(), lang) for g in str(h["group"]).split(",") if g.strip()
            )
            rows.append(
                f'<tr><td>{escape(str(name))}</td><td class="n">{h["size"]}</td>'
                f'<td>{escape(groups)}</td><td><span class="ids">{escape(str(h["person_ids"]))}</span></td></tr>'
            )
        more = extras(pd.Series(r), roster, sep=" · ") if roster else ""
        out.append(
            f"<h3>{escape(translate('coach', lang))} {escape(str(r['coach']))} — {escape(str(r['arrival']))} ({r['total']})"
            + (f' <span class="small">{more}</span>' if more else "")
            + f'</h3><table class="households"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )
    return "".join(out)


def prepare_section(part: pd.DataFrame, lang: str) -> str:
    """What the centre must prepare for: head counts by group and the households (needs are added here when the plan has them)."""
    groups = [g for g in GROUP_KEYS if part[g].sum()]
    items = "".join(
        f"<li>{escape(translate(g, lang))}: {format_number(int(part[g].sum()), lang)}</li>"
        for g in groups
    )
    households = {h for v in part["households"] for h in str(v).split() if h}
    if households:
        items += f"<li>{escape(translate('households', lang))}: {format_number(len(households), lang)}</li>"
    return f'<div class="prepare"><h2>{translate("to_prepare", lang)}</h2><ul>{items}</ul></div>'


def centre_sheets(
    arrivals: pd.DataFrame, alerts: list[dict[str, Any]], pf: PlanFolder, lang: str
) -> list[str]:
    """One sheet per receiving centre: watch points, what to prepare, every coach arriving, people by household."""
    roster = list(pf.roster.columns) if pf.roster is not None else []
    centres = list(dict.fromkeys(arrivals["centre_id"])) if len(arrivals) else []
    by_centre = dict(tuple(arrivals.groupby("centre_id", sort=False))) if len(arrivals) else {}
    out = []
    for n, centre_id in enumerate(centres, start=1):
        part = by_centre[centre_id]
        first = part.iloc[0]
        groups = [g for g in GROUP_KEYS if part[g].sum()]
        pairs = [
            (translate("centre_id", lang), escape(centre_id)),
            (translate("commune", lang), escape(first["commune"])),
            (translate("departement", lang), escape(first["departement"])),
            (translate("capacity", lang), format_number(first["capacity"], lang)),
            (translate("people", lang), format_number(part["total"].sum(), lang)),
            (translate("remaining", lang), format_number(part["remaining"].iat[-1], lang)),
        ]
        pairs += [
            (escape(c), escape(str(first[c])))
            for c in pf.centre_extra
            if str(first[c]) not in ("", "nan", "None")
        ]
        columns = ["arrival_day", "arrival", "coach", *groups, "total", "remaining"]
        body = (
            facts(pairs)
            + alerts_section(alerts, pf, lang, where={"centre_id": centre_id})
            + prepare_section(part, lang)
            + f"<h2>{translate('arrivals', lang)}</h2>"
            + table(part, columns, lang)
            + f"<h2>{translate('by_household', lang)}</h2>"
            + households_html(part, pf, lang, roster)
        )
        out.append(
            sheet(
                "centre",
                centre_id,
                f"{translate('centre_sheet', lang)} — {first['centre_name']}",
                body,
                number=n,
                count=len(centres),
                label=pf.label,
                lang=lang,
            )
        )
    return out
