"""Words, numbers and dates in French or English, for documents, maps and the CLI.

One small message catalogue (:data:`MESSAGES`) and Babel formatters: French
dates read ``24/10/2016`` and numbers take a decimal comma (``7,5``);
English dates read ``24 Oct 2016`` and numbers a decimal point.

>>> translate("coach", "fr")
'Car'
>>> format_number(7.5, "fr", digits=1)
'7,5'
>>> format_date("2016-10-24", "fr")
'24/10/2016'
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
DEFAULT_LANG: Lang = "fr"
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
_DATE_PATTERNS = {"fr": "dd/MM/yyyy", "en": "d MMM yyyy"}

#: key -> (French, English). Column keys of the document tables are keys here too.
MESSAGES: dict[str, tuple[str, str]] = {
    # document titles
    "road_sheets": ("Feuilles de route des cars", "Coach road sheets"),
    "road_sheet": ("Feuille de route", "Road sheet"),
    "centre_sheets": ("Fiches d'arrivée des centres", "Centre arrival sheets"),
    "centre_sheet": ("Fiche d'arrivée", "Arrival sheet"),
    "prefecture_summaries": ("Synthèses préfectorales", "Prefecture summaries"),
    "prefecture_summary": ("Synthèse pour la préfecture", "Prefecture summary"),
    "operation_summary": ("Synthèse de l'opération", "Operation summary"),
    "sheet": ("Feuille", "Sheet"),
    "page": ("Page", "Page"),
    "of": ("sur", "of"),
    # table columns
    "coach": ("Car", "Coach"),
    "day": ("Jour", "Day"),
    "slot": ("Créneau d'embarquement", "Boarding slot"),
    "bay": ("Quai", "Bay"),
    "departure": ("Départ", "Departure"),
    "drivers": ("Conducteurs", "Drivers"),
    "end": ("Fin prévue", "Expected end"),
    "return": ("Retour", "Return"),
    "return_km": ("Retour (km)", "Way back (km)"),
    "return_h": ("Retour (h)", "Way back (h)"),
    "free_at": ("Libre à", "Free at"),
    "free_where": ("Libre à (lieu)", "Free where"),
    "rest_where": ("Repos journalier de l'équipage (lieu)", "Crew's daily rest at"),
    "boarding": ("Début d'embarquement", "Boarding starts"),
    "vehicle": ("Véhicule", "Vehicle"),
    "stop": ("Arrêt", "Stop"),
    "centre_id": ("Identifiant du centre", "Centre id"),
    "centre_name": ("Centre", "Centre"),
    "commune": ("Commune", "Town"),
    "departement": ("Département", "Department"),
    "departement_name": ("Nom du département", "Department name"),
    "region": ("Région", "Region"),
    "region_name": ("Nom de la région", "Region name"),
    "arrival": ("Arrivée prévue", "Planned arrival"),
    "arrival_day": ("Date d'arrivée", "Arrival date"),
    "value_name": ("Nom", "Name"),
    "men": ("Hommes isolés", "Single men"),
    "women": ("Femmes", "Women"),
    "families": ("Familles", "Families"),
    "vulnerable": ("Personnes vulnérables", "Vulnerable people"),
    "minors": ("Mineurs", "Minors"),
    "total": ("Total", "Total"),
    "households": ("Ménages", "Households"),
    "person_ids": ("Identifiants des personnes", "Person ids"),
    "leg_km": ("Étape (km)", "Leg (km)"),
    "leg_h": ("Étape (h)", "Leg (h)"),
    "breaks_before": ("Pauses avant l'arrêt", "Breaks before the stop"),
    "roads": ("Routes", "Roads"),
    "capacity": ("Places", "Places"),
    "remaining": ("Places restantes après l'arrivée", "Places left after arrival"),
    "ride_h": ("Trajet (h)", "Ride (h)"),
    "centres": ("Centres", "Centres"),
    "centres_receiving": ("Centres qui reçoivent", "Centres receiving"),
    "places": ("Places", "Places"),
    "coaches": ("Cars", "Coaches"),
    "people": ("Personnes", "People"),
    "occupancy_pct": ("Occupation (%)", "Occupancy (%)"),
    "km": ("Km", "Km"),
    "coach_km": ("Cars-km", "Coach-km"),
    "seat_fill_pct": ("Remplissage (%)", "Seat fill (%)"),
    "longest_ride_h": ("Trajet le plus long (h)", "Longest ride (h)"),
    "level": ("Niveau", "Level"),
    "value": ("Valeur", "Value"),
    "figure": ("Indicateur", "Figure"),
    "allocated": ("Personnes affectées", "People allocated"),
    # sentences and headings
    "label": ("Nature du plan", "Plan label"),
    "boarding_list": (
        "Liste d'embarquement (identifiants, par arrêt)",
        "Boarding list (ids, by stop)",
    ),
    "itinerary": ("Itinéraire", "Itinerary"),
    "arrivals": ("Arrivées", "Arrivals"),
    "arrivals_by_day": ("Arrivées par jour et par public", "Arrivals by day and group"),
    "longest_rides": (
        "Trajets les plus longs vers le département",
        "Longest rides into the department",
    ),
    "over_90": ("Centres remplis à plus de 90 %", "Centres over 90% full"),
    "none": ("aucun", "none"),
    "per_day": ("Par jour", "Per day"),
    "per_region": ("Par région", "Per region"),
    "break_note": (
        "pause de {minutes} min avant cet arrêt",
        "{minutes} min break before this stop",
    ),
    "not_given": ("non communiqué", "not given"),
    "trips": ("Trajets de car", "Coach trips"),
    "placed": ("Personnes placées", "People placed"),
    "carried": ("Personnes transportées", "People carried"),
    "unplaced": ("Non placées", "Unplaced"),
    "not_carried": ("Non transportées", "Not carried"),
    "not_legal": ("Trajet non conforme", "Trip not legal"),
    "legal_trips": ("Trajets conformes", "Legal trips"),
    "two_driver_trips": ("Trajets à deux conducteurs", "Two-driver trips"),
    "mean_ride_h": ("Trajet moyen (h)", "Mean ride (h)"),
    "preferred_region_pct": ("Dans une région souhaitée (%)", "In a preferred region (%)"),
    "breaks": ("Pauses", "Breaks"),
    "origin": ("Départ de", "Leaving from"),
    "coach_fields": ("Car (loueur)", "Coach (company)"),
    "centre_fields": ("Centre (coordonnées)", "Centre (contact)"),
    "written": ("documents écrits", "documents written"),
    # road sheets: where to go, whom to call
    "address": ("Adresse", "Address"),
    "gps": ("Point GPS", "GPS point"),
    "leg": ("Étape", "Leg"),
    "open_map": ("ouvrir dans l'application de cartes", "open in the maps app"),
    "contacts": ("Contacts", "Contacts"),
    "dispatcher": ("Régulation (PC opération)", "Dispatcher (operation desk)"),
    "centre_contact": ("Contact du centre", "Centre contact"),
    "main_roads": ("Grands axes", "Main roads"),
    "local_roads": ("Routes locales", "Local roads"),
    "break_at": (
        "Pause de {minutes} min vers {time}, vers le km {km} du trajet, près de {place}",
        "{minutes} min break at about {time}, near km {km} of the trip, near {place}",
    ),
    "break_at_road": (
        "Pause de {minutes} min vers {time}, vers le km {km} du trajet",
        "{minutes} min break at about {time}, near km {km} of the trip",
    ),
    "break_stop": (
        "Pause de {minutes} min vers {time}, vers le km {km} du trajet : {place}",
        "{minutes} min break at about {time}, near km {km} of the trip: {place}",
    ),
    "near_town": ("près de {town}", "near {town}"),
    "quoted": ("«\u00a0{text}\u00a0»", "“{text}”"),
    "roadside_services": ("aire de services", "service area"),
    "roadside_rest_area": ("aire de repos", "rest area"),
    "roadside_motorway_junction": ("sortie", "exit"),
    "roadside_fuel": ("station-service", "fuel station"),
    "to_prepare": ("Ce que le centre doit préparer", "What the centre must prepare for"),
    "nothing_to_prepare": (
        "Rien de particulier signalé dans le plan.",
        "Nothing particular given in the plan.",
    ),
    # welfare and fragility
    "alerts": ("Points d'attention", "Watch points"),
    "no_alerts": ("Aucun point d'attention.", "No watch points."),
    "alert_ride": (
        "{n} {group} : trajet de {ride} pour une limite de {limit} (car {coach}, vers {centre})",
        "{n} {group}: ride of {ride} over a limit of {limit} (coach {coach}, to {centre})",
    ),
    "alert_late": (
        "{n} {group} arrivent à {time}, après {late} (car {coach}, à {centre})",
        "{n} {group} arrive at {time}, after {late} (coach {coach}, at {centre})",
    ),
    "alert_fragile": (
        "Car {coach} : conforme aujourd'hui, plus à +{pct} % de temps de route ({why})",
        "Coach {coach}: legal now, not with road times +{pct}% ({why})",
    ),
    "why_driving": ("temps de conduite", "driving time"),
    "why_close": ("arrivée après la fermeture d'un centre", "arrival after a centre closes"),
    "legal_at": (
        "Trajets restant conformes si les routes sont plus lentes : {values}",
        "Trips still legal if roads are slower: {values}",
    ),
    "of_trips": ("{n} sur {total} à {pct}", "{n} of {total} at {pct}"),
    # every department with places
    "stand_down": (
        "Personne n'est envoyé dans votre département ; vos {n} places restent libres.",
        "Nobody is sent to your department; your {n} places stay free.",
    ),
    "timetable": ("Horaires d'arrivée", "Arrival timetable"),
    "household_sizes": ("Ménages (taille)", "Households (size)"),
    "by_household": ("Personnes par ménage", "People by household"),
    "household": ("Ménage", "Household"),
    "size": ("Taille", "Size"),
    "singles": ("personnes seules", "people alone"),
    # needs (issue 23): what a centre prepares for, counts for a prefecture; never on a road sheet
    "need_wheelchair": ("Fauteuil roulant : place accessible", "Wheelchair: accessible place"),
    "need_reduced_mobility": (
        "Mobilité réduite : accès de plain-pied",
        "Reduced mobility: step-free access",
    ),
    "need_stretcher": ("Transport allongé (transfert médical)", "Lying down (medical transfer)"),
    "need_care_emergency": ("Suivi aux urgences : à organiser", "Emergency follow-up: arrange"),
    "need_care_maternity": ("Suivi de maternité : à organiser", "Maternity follow-up: arrange"),
    "need_care_dialysis": ("Dialyse : organiser les séances", "Dialysis: arrange sessions"),
    "need_care_psychiatry": (
        "Suivi psychiatrique : à organiser",
        "Psychiatric follow-up: arrange",
    ),
    "need_urgent_care": ("Soins urgents (transfert médical)", "Urgent care (medical transfer)"),
    "need_pregnancy": ("Grossesse", "Pregnancy"),
    "need_elderly": ("Personne âgée", "Elderly person"),
    "need_single_room": ("Chambre individuelle", "Single room"),
    "needs_heading": ("Besoins des personnes arrivant", "Needs of the people arriving"),
    "prepare": ("À préparer", "To prepare"),
    "need": ("Besoin", "Need"),
    "languages": ("Langues", "Languages"),
    "interpreter_none": (
        "aucun interprète sur place (à prévoir)",
        "no interpreter on site (arrange one)",
    ),
    "interpreter_here": ("interprète sur place", "interpreter on site"),
    "interpreter_missing": (
        "sans interprète sur place (à prévoir)",
        "no interpreter on site (arrange one)",
    ),
    "no_interpreter_for": ("sans interprète : {languages}", "no interpreter: {languages}"),
    "medical_arrivals": (
        "Arrivées par transfert médical (hors car)",
        "Arriving by medical transfer (not on a coach)",
    ),
    "accessible_coach": (
        "Car accessible : {n} place(s) fauteuil utilisée(s)",
        "Accessible coach: {n} wheelchair place(s) used",
    ),
    "vehicle_kind": ("Type de véhicule", "Vehicle kind"),
    "wheelchair_places": ("Places fauteuil utilisées", "Wheelchair places used"),
    # shortfalls: a rule not met for someone (assignments' shortfall column, plan.json's shortfalls)
    "alert_need": (
        "{group} ({n}) — règle non tenue : {rule} ; {status} : {ids}",
        "{group} ({n}) — rule not met: {rule}; {status}: {ids}",
    ),
    "need_placed_at": ("placées à {centre}", "placed at {centre}"),
    "need_unplaced": ("non placées", "not placed"),
    "shortfall_accessible_place": (
        "pas de place accessible (fauteuil roulant) à portée",
        "no accessible place (wheelchair) within reach",
    ),
    "shortfall_accessible_coach": ("pas de car accessible", "no accessible coach"),
    "shortfall_care": (
        "pas de centre assez proche d'un hôpital ({care})",
        "no centre close enough to a hospital ({care})",
    ),
    "shortfall_single_room": ("pas de chambre individuelle", "no single room"),
    "shortfall_uk_quota": (
        "quota quotidien du transfert vers le Royaume-Uni atteint",
        "the UK transfer's daily quota is full",
    ),
    "shortfall_medical_transfer": ("pas de transfert médical", "no medical transfer"),
    "shortfall_ride_limit": (
        "aucun centre dans la limite de trajet",
        "no centre within the ride limit",
    ),
    "shortfall_ride_limit_placed": ("trajet au-delà de la limite", "ride over the limit"),
    "shortfall_late_arrival": ("arrivée tardive", "late arrival"),
    "care_emergency": ("urgences", "emergency care"),
    "care_maternity": ("maternité", "maternity"),
    "care_dialysis": ("dialyse", "dialysis"),
    "care_psychiatry": ("psychiatrie", "psychiatry"),
    # index pages
    "index": ("Sommaire", "Index"),
    "by_departement": ("Par département", "By department"),
    "by_centre": ("Par centre", "By centre"),
    "by_coach": ("Par car", "By coach"),
    "changed_since": ("Modifié depuis la version", "Changed since version"),
    "changed_sheets": ("Ce qui a changé", "What changed"),
    "map_version": (
        "version {number}, replanifiée le {date} à {time} à partir de la version {parent}",
        "version {number}, re-planned at {date} {time} from version {parent}",
    ),
    "people_moved": ("{n} personne(s) déplacée(s) (changes.csv)", "{n} people moved (changes.csv)"),
    "change_added": ("car ajouté", "coach added"),
    "change_cancelled": ("car annulé", "coach cancelled"),
    "change_re-routed": ("itinéraire modifié", "re-routed"),
    "change_re-timed": ("horaire modifié", "re-timed"),
    "cards": ("Cartes individuelles (par ménage)", "Person cards (per household)"),
    "all_in_one": ("Tout en un fichier (impression)", "All in one file (printing)"),
    # readiness (abri readiness) in the prefecture summaries
    "prefecture_readiness": ("Préparation par département", "Readiness by department"),
    "readiness": ("Préparation : places par public", "Readiness: places by group"),
    "readiness_ok": (
        "Aucune place à ouvrir dans le département.",
        "No places to open in the department.",
    ),
    "readiness_missing": ("Places à ouvrir : {n}.", "Places to open: {n}."),
    "group": ("Public", "Group"),
    "places_accepting": ("Places accueillant ce public", "Places accepting the group"),
    "extra": ("Places à ouvrir", "Places to open"),
    "needed_by": ("Nécessaires le", "Needed by"),
    "places_men": ("Places hommes isolés", "Places single men"),
    "places_women": ("Places femmes", "Places women"),
    "places_families": ("Places familles", "Places families"),
    "places_minors": ("Places mineurs", "Places minors"),
    "places_vulnerable": ("Places personnes vulnérables", "Places vulnerable people"),
    "extra_men": ("Places à ouvrir hommes isolés", "Places to open single men"),
    "extra_women": ("Places à ouvrir femmes", "Places to open women"),
    "extra_families": ("Places à ouvrir familles", "Places to open families"),
    "extra_minors": ("Places à ouvrir mineurs", "Places to open minors"),
    "extra_vulnerable": (
        "Places à ouvrir personnes vulnérables",
        "Places to open vulnerable people",
    ),
    # readiness tables (readiness.py)
    "readiness.group": ("Groupe", "Group"),
    "readiness.people": ("Personnes", "People"),
    "readiness.households": ("Ménages", "Households"),
    "readiness.places": ("Places", "Places"),
    "readiness.unplaced": ("Sans place", "Without a place"),
    "readiness.placed": ("Placées", "Placed"),
    "readiness.margin": ("Marge (places encore libres)", "Margin (places still free)"),
    "readiness.day": ("Jour", "Day"),
    "readiness.people_to_date": ("Personnes cumulées", "People to date"),
    "readiness.places_open": ("Places ouvertes le matin", "Places open that morning"),
    "readiness.places_later": ("Places ouvrant plus tard", "Places opening later"),
    "readiness.unplaced_to_date": ("Sans place à ce jour", "Without a place to date"),
    "readiness.ready": ("Prêt", "Ready"),
    "readiness.departement": ("Département", "Department"),
    "readiness.nom": ("Nom", "Name"),
    "readiness.region": ("Région", "Region"),
    "readiness.centres": ("Centres", "Centres"),
    "readiness.extra": ("Places à ouvrir", "Extra places"),
    "readiness.needed_by": ("Nécessaires le", "Needed by"),
    "readiness.insee": ("Code INSEE (commune de référence)", "INSEE code (reference town)"),
    "readiness.commune": ("Commune de référence", "Reference town"),
    "readiness.places_of": ("Places {group}", "Places {group}"),
    "readiness.extra_of": ("Places à ouvrir {group}", "Extra places {group}"),
    "readiness.men": ("hommes isolés", "single men"),
    "readiness.women": ("femmes", "women"),
    "readiness.families": ("familles", "families"),
    "readiness.minors": ("mineurs", "minors"),
    "readiness.vulnerable": ("personnes vulnérables", "vulnerable people"),
    "readiness.yes": ("oui", "yes"),
    "readiness.no": ("non", "no"),
    "readiness.groups_sheet": ("Groupes", "Groups"),
    "readiness.days_sheet": ("Jours", "Days"),
    "readiness.departements_sheet": ("Départements", "Departments"),
    "readiness.regions_sheet": ("Régions", "Regions"),
    "readiness.extras_sheet": ("Places à ouvrir", "Extra places"),
    "readiness.extra_name": ("Places à ouvrir ({group}), {nom}", "Extra places ({group}), {nom}"),
    "readiness.map_title": ("Places à ouvrir par département", "Extra places by department"),
    "readiness.map_legend": ("places à ouvrir", "extra places to open"),
    # rehearsal (abri rehearse): its chart and summary
    "rehearsal.title": (
        "Répétition de {plan} à {now} : {runs} essais",
        "Rehearsal of {plan} at {now}: {runs} runs",
    ),
    "rehearsal.legal_share": ("Plans légaux : {share} des essais", "Legal plans: {share} of runs"),
    "rehearsal.runs": ("Essais", "Runs"),
    "rehearsal.measure": ("Mesure", "Measure"),
    "rehearsal.median": ("Médiane", "Median"),
    "rehearsal.p90": ("90e centile", "90th percentile"),
    "rehearsal.worst": ("Pire", "Worst"),
    "rehearsal.share": ("Part des essais", "Share of runs"),
    "rehearsal.events": ("Événements tirés", "Events drawn"),
    "rehearsal.moved": ("Personnes déplacées", "People moved"),
    "rehearsal.coaches_added": ("Cars ajoutés", "Coaches added"),
    "rehearsal.coaches_cancelled": ("Cars annulés", "Coaches cancelled"),
    "rehearsal.legal": ("Plan légal", "Legal plan"),
    "rehearsal.illegal_trips": ("Trajets illégaux", "Illegal trips"),
    "rehearsal.rides_over_limit": ("Trajets au-delà de la limite", "Rides over the limit"),
    "rehearsal.not_carried": ("Personnes non transportées", "People not carried"),
    "rehearsal.seconds": ("Secondes par re-planification", "Seconds per re-plan"),
}


#: Language names Babel does not know, (French, English).
_LANGUAGE_NAMES = {"prs": ("dari", "Dari")}


def language_name(code: str, lang: str = DEFAULT_LANG) -> str:
    """The name of the language `code` (ISO 639) in `lang` (``ar`` -> ``arabe``); the code when unknown."""
    if code in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[code][LANGS.index(check_lang(lang))]
    return str(Locale.parse(_LOCALES[check_lang(lang)]).languages.get(code) or code)


def check_lang(lang: str) -> Lang:
    """`lang` if abri speaks it, else a ValueError naming what is allowed."""
    if lang not in LANGS:
        msg = f"`lang` is {lang!r}; expected one of {', '.join(LANGS)}"
        raise ValueError(msg)
    return lang


def translate(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The message `key` in `lang`, with ``{name}`` fields filled from `values`; an unknown key is returned as is."""
    pair = MESSAGES.get(key)
    text = key if pair is None else pair[LANGS.index(check_lang(lang))]
    return text.format(**values) if values else text


def format_number(value: float | int | None, lang: str = DEFAULT_LANG, *, digits: int = 0) -> str:
    """`value` with the locale's decimal mark and grouping, rounded to `digits` (``""`` for None/NaN)."""
    if value is None or value != value:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(
        format_decimal(
            round(float(value), digits) if digits else round(float(value)),
            format=pattern,
            locale=_LOCALES[check_lang(lang)],
        )
    )


def format_duration(hours: float | None, lang: str = DEFAULT_LANG) -> str:
    """A duration in hours as people say it: ``10 h 52`` (``""`` for None/NaN).

    >>> format_duration(10.86, "fr")
    '10 h 52'
    """
    if hours is None or hours != hours:
        return ""
    check_lang(lang)
    minutes = round(float(hours) * 60)
    sign, minutes = ("-", -minutes) if minutes < 0 else ("", minutes)
    return f"{sign}{minutes // 60} h {minutes % 60:02d}"


def to_date(value: str | dt.date) -> dt.date:
    """An ISO date (``2016-10-24``) or a date, as a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def format_date(value: str | dt.date, lang: str = DEFAULT_LANG) -> str:
    """A date as French (``24/10/2016``) or English (``24 Oct 2016``) readers write it."""
    return str(
        _babel_date(to_date(value), format=_DATE_PATTERNS[check_lang(lang)], locale=_LOCALES[lang])
    )


def format_datetime(value: dt.datetime, lang: str = DEFAULT_LANG) -> str:
    """A date and time as readers of `lang` write it: ``25/10/2016 02:10`` in French."""
    return f"{format_date(value.date(), lang)} {value:%H:%M}"


def excel_datetime_format(lang: str = DEFAULT_LANG) -> str:
    """The number format of date-and-time cells in a workbook."""
    return excel_date_format(lang) + " HH:MM"


def excel_date_format(lang: str = DEFAULT_LANG) -> str:
    """The number format of date cells in a workbook (``DD/MM/YYYY`` in French)."""
    return "DD/MM/YYYY" if check_lang(lang) == "fr" else "D MMM YYYY"
