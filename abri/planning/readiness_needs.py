"""Hard needs in the readiness model: what a class of people requires of a place, and what a place offers.

A person's needs (:func:`abri.inputs.needs.profile`) become a :class:`Need`:
wheelchair places, single rooms, kinds of care within the rules' limit and
the longest ride (the group's limit, the rules' ``need_max_ride_hours`` for
a ride-limiting need, a medical transfer's limit). A household's need is
the sum of its members' places and the strictest of their limits. A place
meets a need when its centre has the sub-capacities, the care within
``care_max_minutes`` and an estimated ride within the limit
(:func:`abri.planning.allocation.ride_estimate_h`, the allocation's own
estimate). A minor with a UK link has a Home Office need when the scenario
sends minors to the UK through centres (``home_office``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from abri.inputs.needs import CARE_KINDS, profile
from abri.inputs.pathways import Pathway
from abri.inputs.scenario import Rules
from abri.planning.pathways import Routes

NO_LIMIT = math.inf


@dataclass(frozen=True, order=True)
class Need:
    """What a class of people (one person, or a household) requires of a centre."""

    accessible: int = 0
    """Wheelchair places (accessible places) needed."""
    single: int = 0
    """Single rooms needed."""
    care: tuple[str, ...] = ()
    """Kinds of care within the rules' ``care_max_minutes`` of the centre."""
    limit_h: float = NO_LIMIT
    """Longest estimated ride (h)."""
    home_office: bool = False
    """A centre holding Home Office interviews (a minor with a UK link, UK pathway through centres)."""
    limited: bool = False
    """The ride limit comes from a need (not only the group)."""

    @property
    def label(self) -> str:
        """The needs a place must meet, ``;``-joined (``""`` for an ordinary place)."""
        return ";".join(self.tokens)

    @property
    def tokens(self) -> list[str]:
        """The need codes of :data:`PLACE_NEEDS` this need has."""
        return [
            *(["accessible-place"] if self.accessible else []),
            *(["single-room"] if self.single else []),
            *(f"care:{k}" for k in self.care),
            *(["home-office"] if self.home_office else []),
            *(["ride-limit"] if self.limited else []),
        ]

    def joined(self, other: Need) -> Need:
        """The need of two people placed together (a household)."""
        return Need(
            self.accessible + other.accessible,
            self.single + other.single,
            tuple(k for k in CARE_KINDS if k in self.care or k in other.care),
            min(self.limit_h, other.limit_h),
            self.home_office or other.home_office,
            self.limited or other.limited,
        )


PLACE_NEEDS: tuple[str, ...] = (
    "accessible-place",
    "single-room",
    *(f"care:{k}" for k in CARE_KINDS),
    "home-office",
    "ride-limit",
)
"""Needs met by the place (the centre), in the order the tables list them."""


@dataclass(frozen=True)
class NeedRules:
    """The rules the needs are read with: ride and care limits, and the scenario's pathways."""

    rules: Rules = field(default_factory=Rules)
    pathways: tuple[Pathway, ...] = ()

    def pathway(self, kind: str, mode: str | None = None) -> list[Pathway]:
        """The pathways of `kind` (and `mode`)."""
        return [p for p in self.pathways if p.kind == kind and mode in (None, p.mode)]

    def need(
        self, needs: str, group: str, *, home_office: bool = False, ride_h: float | None = None
    ) -> Need:
        """The need of one person of `group` with canonical `needs`; `home_office`: on the UK
        pathway through a centre; `ride_h`: a pathway's ride limit (a medical transfer's)."""
        prof = profile(needs)
        limit = self.rules.max_ride_hours.get(group, NO_LIMIT)
        if prof.limited_ride:
            limit = min(limit, self.rules.need_max_ride_hours)
        if ride_h is not None:
            limit = min(limit, ride_h)
        return Need(
            int(prof.accessible),
            int(prof.single_room),
            prof.care,
            float(limit),
            home_office,
            prof.limited_ride,
        )


def people_needs(people: pd.DataFrame, rules: NeedRules, routes: Routes | None = None) -> pd.Series:
    """Each person's :class:`Need` (the contract's ``needs`` column, none when absent; `routes`
    (:func:`abri.planning.pathways.route_people`) say who goes through a Home Office centre)."""
    needs = people["needs"].fillna("") if "needs" in people else pd.Series("", people.index)
    routes = routes or Routes()
    home = people["person_id"].map(lambda p: routes.route.get(p) == "uk-centre")
    ride = people["person_id"].map(lambda p: routes.ride_limit.get(p, math.nan))
    keys = list(zip(needs, people["group"], home, ride))
    cache = {
        key: rules.need(
            key[0],
            key[1],
            home_office=bool(key[2]),
            ride_h=None if math.isnan(key[3]) else float(key[3]),
        )
        for key in set(keys)
    }
    return pd.Series([cache[k] for k in keys], index=people.index, dtype=object)


def household_need(members: Sequence[Need]) -> Need:
    """The need of a household: its members' places added, the strictest limits."""
    out = Need()
    for need in members:
        out = out.joined(need)
    return out


def with_limit(need: Need, limit_h: float) -> Need:
    """`need` with its ride limit at most `limit_h`."""
    return replace(need, limit_h=min(need.limit_h, limit_h))


@dataclass
class Services:
    """What each centre offers for the needs, as arrays (one entry per centre)."""

    accessible: np.ndarray
    single: np.ndarray
    care_ok: dict[str, np.ndarray]
    home_office: np.ndarray
    ride_h: np.ndarray

    def meets(self, need: Need, *, places: bool = True) -> np.ndarray:
        """Centres that meet `need`: ride and care, and (`places`) the sub-capacities and Home Office interviews.

        Without `places`, where a new centre with those places would meet it (a site for extra places).
        """
        ok = self.ride_h <= need.limit_h
        for kind in need.care:
            ok &= self.care_ok[kind]
        if places:
            ok &= (self.accessible >= need.accessible) & (self.single >= need.single)
            ok &= self.home_office | (not need.home_office)
        return ok


def services_of(frame: pd.DataFrame, ride_h: np.ndarray, rules: Rules) -> Services:
    """The :class:`Services` of centres (or candidate sites): the contract's service columns, 0/False/NaN when absent."""

    def column(name: str, default: float) -> np.ndarray:
        if name not in frame:
            return np.full(len(frame), default, dtype=float)
        return pd.to_numeric(frame[name], errors="coerce").fillna(default).to_numpy(float)

    care_ok = {}
    for kind in CARE_KINDS:
        minutes = column(f"care_min_{kind}", math.nan)
        care_ok[kind] = np.nan_to_num(minutes, nan=math.inf) <= rules.care_max_minutes.get(
            kind, NO_LIMIT
        )
    home = (
        frame["home_office"].fillna(False).astype(bool).to_numpy()
        if "home_office" in frame
        else np.zeros(len(frame), bool)
    )
    return Services(
        column("accessible_places", 0).astype(int),
        column("single_rooms", 0).astype(int),
        care_ok,
        home,
        np.nan_to_num(np.asarray(ride_h, float), nan=math.inf),
    )


def straight_care_minutes(
    points: pd.DataFrame, hospitals: pd.DataFrame, *, km_per_minute: float
) -> pd.DataFrame:
    """Estimated minutes from each point (``lon``, ``lat``) to the nearest hospital of each kind.

    The readiness estimate without roads: great-circle km at `km_per_minute`
    (the straight-line coach estimate's detour and speed). Returns one
    ``care_min_<kind>`` column per kind, aligned with `points`; NaN without a hospital of that kind.
    """

    def unit(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        lo, la = np.radians(lon), np.radians(lat)
        return np.c_[np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)]

    here = unit(points["lon"].to_numpy(float), points["lat"].to_numpy(float))
    out = pd.DataFrame(index=points.index)
    for kind in CARE_KINDS:
        sites = hospitals[hospitals[kind].astype(bool)]
        if sites.empty or not len(here):
            out[f"care_min_{kind}"] = math.nan
            continue
        tree = cKDTree(unit(sites["lon"].to_numpy(float), sites["lat"].to_numpy(float)))
        chord, _ = tree.query(here)
        km = 2 * 6371.0 * np.arcsin(np.clip(chord / 2, 0, 1))
        out[f"care_min_{kind}"] = km / km_per_minute
    return out


def fill_missing(frame: pd.DataFrame, measured: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its empty (or absent) ``care_min_<kind>`` cells taken from `measured` (same index)."""
    out = frame.copy()
    for column in measured.columns:
        given = (
            pd.to_numeric(out[column], errors="coerce")
            if column in out
            else measured[column] * math.nan
        )
        out[column] = given.astype(float).fillna(measured[column].astype(float))
    return out
