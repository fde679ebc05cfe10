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

from abri.documents.alerts import alerts_section, colon
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


def _speakers(
    people: list[str], pf: PlanFolder, centre_id: str
) -> dict[str, tuple[int, bool | None]]:
    """Language code -> (how many of `people` speak it, an interpreter of it on site: None when unknown)."""
    frame = pf.people.reindex(people).fillna("")
    on_site = _on_site(pf, centre_id)
    speakers: dict[str, list[str]] = {}
    for codes, here in zip(frame["languages"], frame["interpreter"]):
        for code in (c for c in str(codes).split(";") if c):
            speakers.setdefault(code, []).append(str(here).strip().lower())
    out: dict[str, tuple[int, bool | None]] = {}
    for code, flags in sorted(speakers.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if on_site is not None:
            out[code] = (len(flags), code in on_site)
        elif any(flags):  # the allocation said, person by person
            out[code] = (len(flags), all(f in ("true", "1", "yes") for f in flags))
        else:
            out[code] = (len(flags), None)
    return out


def languages_text(people: list[str], pf: PlanFolder, centre_id: str, lang: str) -> str:
    """The languages of `people` with how many speak each, then those with and without an interpreter on site (when known)."""
    speakers = _speakers(people, pf, centre_id)
    text = ", ".join(f"{language_name(code, lang)} {n}" for code, (n, _) in speakers.items())
    if speakers and all(h is False for _, h in speakers.values()):
        return f"{text} — {translate('interpreter_none', lang)}"
    for here, key in ((True, "interpreter_here"), (False, "interpreter_missing")):
        codes = [language_name(c, lang) for c, (_, h) in speakers.items() if h is here]
        if codes:
            text += f" — {translate(key, lang)}{colon(lang)}{', '.join(codes)}"
    return text


def no_interpreter_text(people: list[str], pf: PlanFolder, centre_id: str, lang: str) -> str:
    """The languages of `people` known to have no interpreter on site (``""`` when none)."""
    missing = [c for c, (_, here) in _speakers(people, pf, centre_id).items() if here is False]
    if not missing:
        return ""
    names = ", ".join(language_name(c, lang) for c in missing)
    return translate("no_interpreter_for", lang, languages=names)


def needs_text(people: list[str], pf: PlanFolder, lang: str, *, ids: bool = True) -> str:
    """What to prepare for `people`: each need's words, with the ids of who has it when `ids`."""
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


def household_rows(person_ids: str, centre_id: str, pf: PlanFolder, lang: str) -> str:
    """A table of `person_ids` by household: size, group(s), ids, what to prepare (when anything)."""
    cells = []
    for h in household_table(person_ids, pf).to_dict("records"):
        name = h["household"] or f"— ({translate('singles', lang)})"
        groups = ", ".join(
            translate(g.strip(), lang) for g in str(h["group"]).split(",") if g.strip()
        )
        people = str(h["person_ids"]).split()
        prepare = (
            needs_text(people, pf, lang, ids=len(people) > 1),
            no_interpreter_text(people, pf, centre_id, lang),
        )
        cells.append(
            [
                f"<td>{escape(str(name))}</td>",
                f'<td class="n">{h["size"]}</td>',
                f"<td>{escape(groups)}</td>",
                f'<td><span class="ids">{escape(" ".join(people))}</span></td>',
                '<td class="prepare">' + "; ".join(escape(t) for t in prepare if t) + "</td>",
            ]
        )
    columns = ["household", "size", "group", "person_ids", "prepare"]
    if all(row[-1] == '<td class="prepare"></td>' for row in cells):  # nothing to prepare
        columns, cells = columns[:-1], [row[:-1] for row in cells]
    head = "".join(f"<th>{escape(translate(c, lang))}</th>" for c in columns)
    rows = "".join("<tr>" + "".join(row) + "</tr>" for row in cells)
    return f'<table class="households"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def prepare_section(part: pd.DataFrame, medical: list[str], pf: PlanFolder, lang: str) -> str:
    """What the centre must prepare for, a line each: people by group and households, people with each need, languages."""
    counts = [(translate(g, lang), int(part[g].sum())) for g in GROUP_KEYS if part[g].sum()]
    households = {h for v in part["households"] for h in str(v).split() if h}
    counts += [(translate("households", lang), len(households))] if households else []
    people = [p for ids in part["person_ids"] for p in str(ids).split()] + medical
    needs = [
        (translate(need_column(t), lang), n)
        for t, n in need_counts(pf.needs_of(people)).items()
        if n
    ]
    lines = [
        " · ".join(f"{escape(k)}{colon(lang)}{format_number(n, lang)}" for k, n in pairs)
        for pairs in (counts, needs)
        if pairs
    ]
    centre = str(part["centre_id"].iat[0]) if len(part) else ""
    spoken = languages_text(people, pf, centre, lang)
    if spoken:
        lines.append(f"{escape(translate('languages', lang))}{colon(lang)}{escape(spoken)}")
    body = "".join(f"<p>{line}</p>" for line in lines) + medical_lines(medical, centre, pf, lang)
    return f'<div class="prepare"><h2>{translate("to_prepare", lang)}</h2>{body}</div>'


def medical_lines(people: list[str], centre_id: str, pf: PlanFolder, lang: str) -> str:
    """People arriving by medical transfer (not on a coach): size, group, ids, what to prepare, one line."""
    if not people:
        return ""
    lines = []
    for h in household_table(" ".join(people), pf).to_dict("records"):
        ids = str(h["person_ids"]).split()
        groups = ", ".join(translate(g.strip(), lang) for g in str(h["group"]).split(",") if g)
        prepare = [
            needs_text(ids, pf, lang, ids=len(ids) > 1),
            no_interpreter_text(ids, pf, centre_id, lang),
        ]
        lines.append(
            f"<b>{escape(str(h['household'] or translate('singles', lang)))}</b> ({h['size']}, "
            f'{escape(groups)}) <span class="ids medical">{escape(" ".join(ids))}</span>'
            + "".join(f" — {escape(t)}" for t in prepare if t)
        )
    head = escape(translate("medical_arrivals", lang)) + colon(lang)
    return f'<p class="medical">{head}{" · ".join(lines)}</p>'


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
