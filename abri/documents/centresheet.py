"""Centre arrival sheets: every coach arriving, when, who (grouped by household), the places left, the watch points.

A centre sheet says what the centre must prepare to receive each household (issue 23): an
accessible place, step-free access, a single room, the care to arrange (``dialysis: arrange
sessions``), a pregnancy, an elderly person, the languages spoken and whether an interpreter is
on site; people arriving by medical transfer (not on a coach). Nothing more: no free note, no
disputed age, no refusal (see ``docs/privacy.md``).
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from abri.documents.alerts import alerts_section
from abri.documents.html import extras, facts, sheet, table
from abri.documents.tables import GROUP_KEYS, PlanFolder, need_column, need_counts
from abri.i18n import format_number, language_name, translate
from abri.inputs.needs import NEEDS

MEDICAL = "medical"  # the pathway of people placed in a centre who travel by medical transfer


def _on_site(pf: PlanFolder, centre_id: str) -> set[str] | None:
    """The languages of the centre's interpreters (None when the centre file does not say)."""
    if "interpreters" not in pf.centres.columns or centre_id not in pf.centres.index:
        return None
    return {c for c in str(pf.centres.at[centre_id, "interpreters"] or "").split(";") if c}


def languages_text(people: list[str], pf: PlanFolder, centre_id: str, lang: str) -> str:
    """The languages of `people`, each with how many speak it and whether an interpreter is on site."""
    frame = pf.people.reindex(people).fillna("")
    on_site = _on_site(pf, centre_id)
    speakers: dict[str, list[bool]] = {}
    for codes, here in zip(frame["languages"], frame["interpreter"]):
        for code in (c for c in str(codes).split(";") if c):
            speakers.setdefault(code, []).append(str(here).lower() in ("true", "1", "yes"))
    parts = []
    for code, flags in sorted(speakers.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        covered = code in on_site if on_site is not None else all(flags)
        status = translate("interpreter_here" if covered else "interpreter_missing", lang)
        parts.append(f"{language_name(code, lang)} {len(flags)} ({status})")
    return "; ".join(parts)


def needs_text(people: list[str], pf: PlanFolder, lang: str, *, ids: bool = True) -> str:
    """What to prepare for `people`: each need's words (with the ids of who has it), then their languages."""
    needs = dict(zip(people, pf.needs_of(people)))
    parts = []
    for token in NEEDS:
        who = [p for p, n in needs.items() if token in n.split(";")]
        if who:
            parts.append(
                translate(need_column(token), lang) + (f" ({' '.join(who)})" if ids else "")
            )
    return "; ".join(parts)


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
    out = []
    for r in part.to_dict("records"):
        more = extras(pd.Series(r), roster, sep=" · ") if roster else ""
        out.append(
            f"<h3>{escape(translate('coach', lang))} {escape(str(r['coach']))} — {escape(str(r['arrival']))} ({r['total']})"
            + (f' <span class="small">{more}</span>' if more else "")
            + "</h3>"
            + household_rows(r["person_ids"], str(r["centre_id"]), pf, lang)
        )
    return "".join(out)


def household_rows(
    person_ids: str, centre_id: str, pf: PlanFolder, lang: str, *, cls: str = "ids"
) -> str:
    """A table of `person_ids` by household: size, group(s), ids (in a span of class `cls`), what to prepare."""
    columns = ("household", "size", "group", "person_ids", "prepare")
    head = "".join(f"<th>{escape(translate(c, lang))}</th>" for c in columns)
    rows = []
    for h in household_table(person_ids, pf).to_dict("records"):
        name = h["household"] or f"— ({translate('singles', lang)})"
        groups = ", ".join(
            translate(g.strip(), lang) for g in str(h["group"]).split(",") if g.strip()
        )
        people = str(h["person_ids"]).split()
        prepare = "<br>".join(
            escape(t)
            for t in (needs_text(people, pf, lang), languages_text(people, pf, centre_id, lang))
            if t
        )
        rows.append(
            f'<tr><td>{escape(str(name))}</td><td class="n">{h["size"]}</td>'
            f'<td>{escape(groups)}</td><td><span class="{cls}">{escape(" ".join(people))}</span></td>'
            f'<td class="prepare">{prepare}</td></tr>'
        )
    return f'<table class="households"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def prepare_section(part: pd.DataFrame, medical: list[str], pf: PlanFolder, lang: str) -> str:
    """What the centre must prepare for: head counts by group, households, people with each need, languages."""
    groups = [g for g in GROUP_KEYS if part[g].sum()]
    items = "".join(
        f"<li>{escape(translate(g, lang))}: {format_number(int(part[g].sum()), lang)}</li>"
        for g in groups
    )
    households = {h for v in part["households"] for h in str(v).split() if h}
    if households:
        items += f"<li>{escape(translate('households', lang))}: {format_number(len(households), lang)}</li>"
    people = [p for ids in part["person_ids"] for p in str(ids).split()] + medical
    if medical:
        items += f"<li>{escape(translate('medical_arrivals', lang))}: {format_number(len(medical), lang)}</li>"
    counts = need_counts(pf.needs_of(people))
    items += "".join(
        f"<li>{escape(translate(need_column(t), lang))}: {format_number(n, lang)}</li>"
        for t, n in counts.items()
        if n
    )
    centre = str(part["centre_id"].iat[0]) if len(part) else ""
    spoken = languages_text(people, pf, centre, lang)
    if spoken:
        items += f"<li>{escape(translate('languages', lang))}: {escape(spoken)}</li>"
    return f'<div class="prepare"><h2>{translate("to_prepare", lang)}</h2><ul>{items}</ul></div>'


def medical_arrivals(pf: PlanFolder) -> dict[str, list[str]]:
    """Centre id -> people placed there who travel by medical transfer (pathway ``medical``, not on a coach)."""
    people = pf.people[(pf.people["pathway"] == MEDICAL) & (pf.people["centre_id"] != "")]
    out: dict[str, list[str]] = {}
    for person, centre in zip(people["person_id"], people["centre_id"]):
        out.setdefault(str(centre), []).append(str(person))
    return out


def _facts(
    centre_id: str, part: pd.DataFrame, medical: list[str], pf: PlanFolder, lang: str
) -> str:
    """The centre's figures: id, town, department, places, people arriving, places left, its own columns."""
    row = pf.centres.loc[centre_id] if centre_id in pf.centres.index else pd.Series(dtype=object)
    capacity = int(row.get("capacity", 0) or 0)
    arriving = int(part["total"].sum()) + len(medical)
    pairs = [
        (translate("centre_id", lang), escape(centre_id)),
        (translate("commune", lang), escape(str(row.get("commune", "")))),
        (translate("departement", lang), escape(str(row.get("departement", "")))),
        (translate("capacity", lang), format_number(capacity, lang)),
        (translate("people", lang), format_number(arriving, lang)),
        (translate("remaining", lang), format_number(capacity - arriving, lang)),
    ]
    return facts(
        pairs
        + [
            (escape(c), escape(str(row.get(c, ""))))
            for c in pf.centre_extra
            if str(row.get(c, "")) not in ("", "nan", "None")
        ]
    )


def centre_sheets(
    arrivals: pd.DataFrame, alerts: list[dict[str, Any]], pf: PlanFolder, lang: str
) -> list[str]:
    """One sheet per receiving centre: watch points, what to prepare, every coach arriving, people by household."""
    roster = list(pf.roster.columns) if pf.roster is not None else []
    medical = medical_arrivals(pf)
    centres = list(dict.fromkeys([*(arrivals["centre_id"] if len(arrivals) else []), *medical]))
    by_centre = dict(tuple(arrivals.groupby("centre_id", sort=False))) if len(arrivals) else {}
    empty = (
        arrivals.iloc[:0]
        if len(arrivals.columns)
        else pd.DataFrame(columns=["centre_id", "total", "households", "person_ids", *GROUP_KEYS])
    )
    out = []
    for n, centre_id in enumerate(centres, start=1):
        part = by_centre.get(centre_id, empty)
        by_transfer = medical.get(centre_id, [])
        groups = [g for g in GROUP_KEYS if part[g].sum()]
        columns = ["arrival_day", "arrival", "coach", *groups, "total", "remaining"]
        body = (
            _facts(centre_id, part, by_transfer, pf, lang)
            + alerts_section(alerts, pf, lang, where={"centre_id": centre_id})
            + prepare_section(part, by_transfer, pf, lang)
        )
        if len(part):
            body += (
                f"<h2>{translate('arrivals', lang)}</h2>"
                + table(part, columns, lang)
                + f"<h2>{translate('by_household', lang)}</h2>"
                + households_html(part, pf, lang, roster)
            )
        if by_transfer:
            body += f"<h2>{translate('medical_arrivals', lang)}</h2>" + household_rows(
                " ".join(by_transfer), centre_id, pf, lang, cls="ids medical"
            )
        name = str(pf.centres.at[centre_id, "name"]) if centre_id in pf.centres.index else ""
        out.append(
            sheet(
                "centre",
                centre_id,
                f"{translate('centre_sheet', lang)} — {name}",
                body,
                number=n,
                count=len(centres),
                label=pf.label,
                lang=lang,
            )
        )
    return out
