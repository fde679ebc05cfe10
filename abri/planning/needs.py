"""Each person's hard requirements against the centres: who may go where, and why not.

A person's needs (:func:`abri.inputs.needs.profile`) become a
:class:`Signature`: an accessible place (wheelchair), a single room, the
kinds of care a centre must be near (its ``care_min_<kind>`` at most the
rules' ``care_max_minutes``; unknown is not near), a hard ride limit
(``min(group limit, need_max_ride_hours)`` for a ride-limiting need), a
centre with Home Office interviews (a minor on the UK pathway through a
centre), and the interpreter languages that would help (soft). People with
the same signature share a class of the allocation's flow, so classes stay
few. :func:`explain` says in plain words which requirement left a person
without a place, with its code (``accessible-place``, ``care:<kind>``,
``single-room``, ``ride-limit``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from abri.inputs.needs import CARE_KINDS, NeedProfile, profile
from abri.inputs.scenario import Rules

PERSON_COLUMNS: dict[str, object] = {
    "needs": "",
    "languages": "",
    "family_country": "",
    "family_town": "",
    "age_disputed": False,
    "refusal": "",
    "note": "",
}
"""People columns of issue 23 and their value when a frame has none (older callers)."""
CENTRE_COLUMNS: dict[str, object] = {
    "accessible_places": 0,
    "single_rooms": 0,
    "interpreters": "",
    "home_office": False,
    **{f"care_min_{kind}": np.nan for kind in CARE_KINDS},
}
"""Centre service columns and their value when a frame has none."""


@dataclass(frozen=True)
class Signature:
    """What a person (or a household, combined) requires of a centre; hashable, so a flow class key."""

    accessible: int = 0
    """Accessible places needed (wheelchair users)."""
    single_room: int = 0
    """Single rooms needed."""
    care: tuple[str, ...] = ()
    max_ride_h: float | None = None
    """Hard ride limit (h); None: only the group's soft limit."""
    home_office: bool = False
    """A centre holding Home Office interviews (UK pathway through a centre)."""
    languages: tuple[str, ...] = ()
    """Languages with an interpreter somewhere (soft: a weight, never a constraint)."""

    @property
    def hard(self) -> bool:
        """Whether any hard requirement restricts the centres."""
        return bool(
            self.accessible
            or self.single_room
            or self.care
            or self.max_ride_h is not None
            or self.home_office
        )


def with_defaults(frame: pd.DataFrame, columns: dict[str, object]) -> pd.DataFrame:
    """`frame` with every column of `columns`, filled with its default where missing or empty."""
    out = frame.copy()
    for name, default in columns.items():
        if name not in out.columns:
            out[name] = [default] * len(out)
        elif isinstance(default, str):
            out[name] = out[name].fillna("").astype(str)
        elif isinstance(default, bool):
            out[name] = out[name].fillna(False).astype(bool)
        elif isinstance(default, int):
            out[name] = pd.to_numeric(out[name], errors="coerce").fillna(0).astype(int)
        else:
            out[name] = pd.to_numeric(out[name], errors="coerce").astype(float)
    return out


def profiles(needs: pd.Series) -> pd.Series:
    """The :class:`~abri.inputs.needs.NeedProfile` of each row's ``needs`` (computed once per distinct value)."""
    return needs.map({n: profile(n) for n in needs.unique()})


def hard_limit(group: str, need: NeedProfile, rules: Rules, override: float | None) -> float | None:
    """The hard ride limit (h) of a person: `override` (a pathway's), else the need limit when ride-limited."""
    if override is not None:
        return override
    if not need.limited_ride:
        return None
    group_limit = rules.max_ride_hours.get(group)
    return min(rules.need_max_ride_hours, group_limit or rules.need_max_ride_hours)


def signatures(
    people: pd.DataFrame,
    rules: Rules,
    interpreted: set[str],
    *,
    home_office: set[str] | None = None,
    ride_override: dict[str, float] | None = None,
) -> pd.Series:
    """The :class:`Signature` of each person (indexed by ``person_id``).

    `interpreted` are the languages some centre interprets; `home_office` the people who must
    go to a centre with Home Office interviews; `ride_override` a hard ride limit per person
    (a pathway's ``max_ride_hours``).
    """
    home_office, ride_override = home_office or set(), ride_override or {}
    needs = profiles(people["needs"])
    made: dict[tuple, Signature] = {}
    out = []
    for pid, group, need, langs in zip(
        people["person_id"], people["group"], needs, people["languages"]
    ):
        key = (group, need, langs, ride_override.get(pid), pid in home_office)
        if key not in made:
            made[key] = Signature(
                accessible=int(need.accessible),
                single_room=int(need.single_room),
                care=need.care,
                max_ride_h=hard_limit(group, need, rules, key[3]),
                home_office=key[4],
                languages=tuple(sorted(set(str(langs).split(";")) & interpreted)),
            )
        out.append(made[key])
    return pd.Series(out, index=people["person_id"].to_numpy(), dtype=object)


def combine(sigs: list[Signature]) -> Signature:
    """One signature for a household: every member's needs, the smallest hard ride limit."""
    limits = [s.max_ride_h for s in sigs if s.max_ride_h is not None]
    return Signature(
        accessible=sum(s.accessible for s in sigs),
        single_room=sum(s.single_room for s in sigs),
        care=tuple(k for k in CARE_KINDS if any(k in s.care for s in sigs)),
        max_ride_h=min(limits) if limits else None,
        home_office=any(s.home_office for s in sigs),
        languages=tuple(sorted({lang for s in sigs for lang in s.languages})),
    )


def without_home_office(sig: Signature) -> Signature:
    """The same requirements, any centre (the Home Office preference dropped)."""
    return replace(sig, home_office=False)


def care_ok(centres: pd.DataFrame, kind: str, rules: Rules) -> np.ndarray:
    """Centres within the rules' limit of a hospital giving `kind` care (unknown: not within)."""
    minutes = centres[f"care_min_{kind}"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(minutes, nan=np.inf) <= rules.care_max_minutes.get(kind, np.inf)


def mask(centres: pd.DataFrame, sig: Signature, rules: Rules) -> np.ndarray:
    """Centres meeting every hard requirement of `sig` (places left aside)."""
    ok = np.ones(len(centres), bool)
    if sig.max_ride_h is not None:
        ok &= centres["ride_h"].to_numpy(float) <= sig.max_ride_h
    for kind in sig.care:
        ok &= care_ok(centres, kind, rules)
    if sig.accessible:
        ok &= centres["accessible_places"].to_numpy(int) > 0
    if sig.single_room:
        ok &= centres["single_rooms"].to_numpy(int) > 0
    if sig.home_office:
        ok &= centres["home_office"].to_numpy(bool)
    return ok


def interprets(centres: pd.DataFrame, languages: tuple[str, ...] | list[str]) -> np.ndarray:
    """Centres with an interpreter of one of `languages`."""
    wanted = set(languages) - {""}
    if not wanted:
        return np.zeros(len(centres), bool)
    return np.array([bool(wanted & set(i.split(";"))) for i in centres["interpreters"]], bool)


@dataclass
class Places:
    """Places left in each centre (by id): in all, accessible (a part of them) and single rooms."""

    left: pd.Series
    accessible: pd.Series
    single: pd.Series

    @classmethod
    def of(cls, centres: pd.DataFrame) -> Places:
        """The places of validated centres (``id``, ``capacity``, ``accessible_places``, ``single_rooms``)."""
        ids = centres["id"].astype(str).to_numpy()
        cap = pd.Series(centres["capacity"].astype(int).to_numpy(), index=ids)
        sub = [
            pd.Series(np.minimum(centres[c].to_numpy(int), cap.to_numpy()), index=ids)
            for c in ("accessible_places", "single_rooms")
        ]
        return cls(cap, *sub)

    def shut(self, ids: np.ndarray) -> Places:
        """A copy with no place in the centres `ids` (not open yet)."""
        out = Places(self.left.copy(), self.accessible.copy(), self.single.copy())
        for s in (out.left, out.accessible, out.single):
            s.loc[ids] = 0
        return out

    def take_many(self, cids: list[str], sigs: np.ndarray) -> None:
        """Use a place in each centre of `cids` for a person of the signature at the same position."""
        if not cids:
            return
        used = (
            pd.DataFrame(
                {
                    "left": 1,
                    "accessible": [s.accessible for s in sigs],
                    "single": [s.single_room for s in sigs],
                },
                index=cids,
            )
            .groupby(level=0)
            .sum()
        )
        for name in ("left", "accessible", "single"):
            series = getattr(self, name)
            series.loc[used.index] -= used[name].to_numpy()


def explain(
    centres: pd.DataFrame,
    sig: Signature,
    group: str,
    places: Places,
    rules: Rules,
    *,
    size: int = 1,
) -> tuple[str, str]:
    """The hard requirement that left a person (or a household of `size`) without a place: (code, text).

    `centres` are the allocation's centres (``id``, ``groups``, ``time_s``, ``ride_h``, services)
    and `places` those left in centres open that day. The requirements are applied in turn to
    the reachable centres accepting `group`; the first that leaves none is named, else the last
    when the centres meeting them all are full; when they have room, all are named together.
    ("", "") when `sig` has no hard requirement or no centre takes the group (the caller's reason).
    """
    if not sig.hard:
        return "", ""
    ids = centres["id"]
    ok = np.array(centres["groups"].str.split(";").map(lambda gs: group in gs), bool)
    ok = ok & centres["time_s"].notna().to_numpy()
    limit = sig.max_ride_h
    who = f"for group '{group}'" + (f" (a household of {size})" if size > 1 else "")
    within = f" within {limit:g} h" if limit is not None else ""
    steps: list[tuple[str, np.ndarray, str]] = []
    if limit is not None:
        text = f"no place left{within} (the ride limit of their needs) {who}"
        steps.append(("ride-limit", centres["ride_h"].to_numpy(float) <= limit, text))
    for kind in sig.care:
        minutes = rules.care_max_minutes.get(kind, np.inf)
        text = f"no place left{within} {who} in a centre {minutes:g} min or less from a hospital giving {kind} care"
        steps.append((f"care:{kind}", care_ok(centres, kind, rules), text))
    for code, need, room, what in (
        ("accessible-place", sig.accessible, places.accessible, "accessible place (wheelchair)"),
        ("single-room", sig.single_room, places.single, "single room"),
    ):
        if need:
            text = f"no {what} left{within} {who}"
            steps.append((code, room.reindex(ids).to_numpy() >= need, text))
    if not ok.any() or not steps:
        return "", ""
    for code, step, text in steps:
        ok &= step
        if not ok.any():
            return code, text
    if not (ok & (places.left.reindex(ids).to_numpy() >= size)).any():
        return steps[-1][0], steps[-1][2]  # the centres meeting every need are full
    codes = ", ".join(code for code, _, _ in steps)
    return steps[-1][0], f"no place left{within} {who} meeting all of its needs at once ({codes})"
