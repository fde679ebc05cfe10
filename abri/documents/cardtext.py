"""The words of a person's card (:mod:`abri.documents.cards`) in seven languages.

French (``fr``), English (``en``), Arabic (``ar``), Pashto (``ps``), Dari
(``prs``), Tigrinya (``ti``) and Amharic (``am``): short sentences and
field labels, one table per language with the same keys.

**These translations need review by a native speaker of each language**
before cards are handed out (Arabic, Pashto, Dari, Tigrinya and Amharic
were written by the developers, not by translators). Keep sentences short
and plain when changing them; a missing key fails the tests.

Numbers, dates and times are written with Western digits (``24/10/2016``,
``07:30``) in every language: they are read the same way by everyone and
by the staff, and the cards isolate them (``<bdi>``) so right-to-left text
does not reorder them. Names of centres and towns stay as written in the
centre file (French).
"""

from __future__ import annotations

RTL: frozenset[str] = frozenset({"ar", "ps", "prs"})
"""Languages written right to left (Arabic script)."""

STAFF_LANG = "fr"
"""The language of the staff block printed on every card."""

FALLBACK = ("fr", "en")
"""Languages of a card when none of the person's languages has a translation."""

LATIN_FONTS = "'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
FONTS: dict[str, str] = {
    "ar": f"'Noto Naskh Arabic', 'Noto Sans Arabic', 'Amiri', {LATIN_FONTS}",
    "ti": f"'Noto Sans Ethiopic', 'Abyssinica SIL', {LATIN_FONTS}",
}
"""CSS font families by script (Debian: fonts-noto-core); Pashto and Dari use the Arabic list, Amharic the Ethiopic one."""
FONTS["ps"] = FONTS["prs"] = FONTS["ar"]
FONTS["am"] = FONTS["ti"]

NAMES: dict[str, str] = {
    "fr": "Français",
    "en": "English",
    "ar": "العربية",
    "ps": "پښتو",
    "prs": "دری",
    "ti": "ትግርኛ",
    "am": "አማርኛ",
}
"""Each language's name in itself (shown on its block)."""

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    "ps": ("دوشنبه", "سه شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"),
    "prs": ("دوشنبه", "سه\u200cشنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"),
    "ti": ("ሰኑይ", "ሰሉስ", "ረቡዕ", "ሓሙስ", "ዓርቢ", "ቀዳም", "ሰንበት"),
    "am": ("ሰኞ", "ማክሰኞ", "ረቡዕ", "ሐሙስ", "ዓርብ", "ቅዳሜ", "እሑድ"),
}
"""Monday first, like :meth:`datetime.date.weekday`."""

KEYS = (
    "heading",
    "coach",
    "bay",
    "day",
    "boarding",
    "departure",
    "destination",
    "pathway",
    "uk",
    "medical",
    "staff_will_tell",
    "uk_interview",
    "accessible",
    "interpreter",
    "bring",
    "bring_items",
    "on_time",
    "not_arranged",
)
"""Every key each language's table must hold."""

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "heading": "Votre départ",
        "coach": "Car",
        "bay": "Quai",
        "day": "Jour",
        "boarding": "Heure d'embarquement",
        "departure": "Départ du car",
        "destination": "Destination",
        "pathway": "Votre parcours",
        "uk": "Transfert vers le Royaume-Uni",
        "medical": "Transport médical",
        "staff_will_tell": "L'équipe vous dira l'heure et le lieu.",
        "uk_interview": "Dans ce centre, le ministère de l'Intérieur britannique (Home Office) "
        "vous recevra pour rejoindre votre famille au Royaume-Uni.",
        "accessible": "Ce car a un élévateur et une place pour fauteuil roulant.",
        "interpreter": "Au centre, un interprète parle votre langue.",
        "bring": "À emporter",
        "bring_items": "vos papiers (identité, asile), vos médicaments et ordonnances, "
        "votre téléphone et son chargeur, un sac par personne.",
        "on_time": "Venez à l'heure. Gardez cette carte et montrez-la à l'équipe.",
        "not_arranged": "Votre départ n'est pas encore prévu. Venez au point d'information.",
    },
    "en": {
        "heading": "Your departure",
        "coach": "Coach",
        "bay": "Bay",
        "day": "Day",
        "boarding": "Boarding time",
        "departure": "Coach leaves at",
        "destination": "Destination",
        "pathway": "Your pathway",
        "uk": "Transfer to the United Kingdom",
        "medical": "Medical transport",
        "staff_will_tell": "Staff will tell you the time and the place.",
        "uk_interview": "At this centre, the UK Home Office will interview you "
        "about joining your family in the United Kingdom.",
        "accessible": "This coach has a lift and a wheelchair place.",
        "interpreter": "At the centre, an interpreter speaks your language.",
        "bring": "Bring",
        "bring_items": "your papers (identity, asylum), your medicines and prescriptions, "
        "your phone and charger, one bag per person.",
        "on_time": "Please come on time. Keep this card and show it to the staff.",
        "not_arranged": "Your departure is not arranged yet. Please come to the information point.",
    },
    "ar": {
        "heading": "رحلتك",
        "coach": "الحافلة",
        "bay": "رصيف الصعود",
        "day": "اليوم",
        "boarding": "وقت الصعود",
        "departure": "موعد انطلاق الحافلة",
        "destination": "الوجهة",
        "pathway": "مسارك",
        "uk": "الانتقال إلى المملكة المتحدة",
        "medical": "نقل طبي",
        "staff_will_tell": "سيخبرك الموظفون بالوقت والمكان.",
        "uk_interview": "في هذا المركز، ستجري معك وزارة الداخلية البريطانية مقابلة "
        "بشأن لم شملك مع عائلتك في المملكة المتحدة.",
        "accessible": "هذه الحافلة مجهزة برافعة ومكان للكرسي المتحرك.",
        "interpreter": "في المركز مترجم يتحدث لغتك.",
        "bring": "ما يجب أن تحضره",
        "bring_items": "أوراقك (الهوية، اللجوء)، أدويتك ووصفاتك الطبية، هاتفك وشاحنه، "
        "حقيبة واحدة لكل شخص.",
        "on_time": "يرجى الحضور في الموعد. احتفظ بهذه البطاقة وأظهرها للموظفين.",
        "not_arranged": "لم يتم ترتيب رحلتك بعد. يرجى التوجه إلى نقطة الاستعلامات.",
    },
    "ps": {
        "heading": "ستاسو سفر",
        "coach": "بس",
        "bay": "د سپرېدو ځای",
        "day": "ورځ",
        "boarding": "د سپرېدو وخت",
        "departure": "د بس د تګ وخت",
        "destination": "د تګ ځای",
        "pathway": "ستاسو لاره",
        "uk": "بریتانیا ته لېږد",
        "medical": "طبي لېږد",
        "staff_will_tell": "کارکوونکي به تاسو ته وخت او ځای ووايي.",
        "uk_interview": "په دې مرکز کې به د بریتانیا د کورنیو چارو وزارت له تاسو سره "
        "په بریتانیا کې ستاسو له کورنۍ سره د یوځای کېدو په اړه مرکه وکړي.",
        "accessible": "دا بس لفټ او د ویلچیر ځای لري.",
        "interpreter": "په مرکز کې یو ژباړونکی ستاسو په ژبه خبرې کوي.",
        "bring": "له ځان سره راوړئ",
        "bring_items": "ستاسو اسناد (تذکره، د پناه غوښتنې کاغذونه)، ستاسو درمل او نسخې، "
        "ستاسو ټلیفون او چارجر، د هر کس لپاره یوه بکسه.",
        "on_time": "مهرباني وکړئ په وخت راشئ. دا کارت وساتئ او کارکوونکو ته یې وښایئ.",
        "not_arranged": "ستاسو سفر لا نه دی ټاکل شوی. مهرباني وکړئ د معلوماتو ځای ته راشئ.",
    },
    "prs": {
        "heading": "سفر شما",
        "coach": "بس",
        "bay": "محل سوار شدن",
        "day": "روز",
        "boarding": "وقت سوار شدن",
        "departure": "وقت حرکت بس",
        "destination": "مقصد",
        "pathway": "مسیر شما",
        "uk": "انتقال به بریتانیا",
        "medical": "انتقال طبی",
        "staff_will_tell": "کارمندان وقت و جای را به شما می\u200cگویند.",
        "uk_interview": "در این مرکز، وزارت داخله بریتانیا برای پیوستن شما به خانواده\u200cتان "
        "در بریتانیا با شما مصاحبه می\u200cکند.",
        "accessible": "این بس بالابر و جای ویلچر دارد.",
        "interpreter": "در مرکز یک ترجمان به زبان شما صحبت می\u200cکند.",
        "bring": "با خود بیاورید",
        "bring_items": "اسناد تان (تذکره، اوراق پناهندگی)، دواها و نسخه\u200cهای تان، "
        "تلفون و چارجر تان، برای هر نفر یک بکس.",
        "on_time": "لطفاً به وقت بیایید. این کارت را نگه دارید و به کارمندان نشان دهید.",
        "not_arranged": "سفر شما هنوز ترتیب نشده است. لطفاً به محل معلومات بیایید.",
    },
    "ti": {
        "heading": "ጉዕዞኹም",
        "coach": "ኣውቶቡስ",
        "bay": "ቦታ ምድያብ",
        "day": "መዓልቲ",
        "boarding": "ሰዓት ምድያብ",
        "departure": "ኣውቶቡስ ዝብገሰሉ ሰዓት",
        "destination": "መዕለቢ",
        "pathway": "መንገድኹም",
        "uk": "ምግዓዝ ናብ ዓባይ ብሪጣንያ",
        "medical": "ሕክምናዊ መጓዓዝያ",
        "staff_will_tell": "ሰራሕተኛታት ሰዓትን ቦታን ክሕብሩኹም እዮም።",
        "uk_interview": "ኣብዚ ማእከል፡ ሚኒስትሪ ውሽጣዊ ጉዳያት ዓባይ ብሪጣንያ ምስ ስድራኹም ንምጽንባር ቃለ መሕትት ክገብረልኩም እዩ።",
        "accessible": "እዚ ኣውቶቡስ መልዓሊን ቦታ ዊልቸርን ኣለዎ።",
        "interpreter": "ኣብቲ ማእከል ብቋንቋኹም ዝዛረብ ተርጓሚ ኣሎ።",
        "bring": "ምሳኹም ኣምጽኡ",
        "bring_items": "ሰነዳትኩም (መንነት፡ ዑቕባ)፡ መድሃኒትኩምን ናይ ሓኪም ወረቐትኩምን፡ "
        "ተሌፎንኩምን ቻርጀርን፡ ንነፍሲ ወከፍ ሰብ ሓንቲ ቦርሳ።",
        "on_time": "በጃኹም ብሰዓቱ ምጹ። ነዚ ካርድ ሓልዉዎ እሞ ንሰራሕተኛታት ኣርእዩዎም።",
        "not_arranged": "ጉዕዞኹም ገና ኣይተወሰነን። በጃኹም ናብ ቦታ ሓበሬታ ምጹ።",
    },
    "am": {
        "heading": "ጉዞዎ",
        "coach": "አውቶቡስ",
        "bay": "የመሳፈሪያ ቦታ",
        "day": "ቀን",
        "boarding": "የመሳፈሪያ ሰዓት",
        "departure": "አውቶቡሱ የሚነሳበት ሰዓት",
        "destination": "መድረሻ",
        "pathway": "መንገድዎ",
        "uk": "ወደ ዩናይትድ ኪንግደም ዝውውር",
        "medical": "የሕክምና መጓጓዣ",
        "staff_will_tell": "ሰራተኞች ሰዓቱንና ቦታውን ይነግሩዎታል።",
        "uk_interview": "በዚህ ማዕከል የዩናይትድ ኪንግደም የአገር ውስጥ ጉዳይ ሚኒስቴር "
        "ከቤተሰብዎ ጋር ለመቀላቀል ቃለ መጠይቅ ያደርግልዎታል።",
        "accessible": "ይህ አውቶቡስ ማንሻና የዊልቸር ቦታ አለው።",
        "interpreter": "በማዕከሉ ቋንቋዎን የሚናገር አስተርጓሚ አለ።",
        "bring": "ይዘው ይምጡ",
        "bring_items": "ሰነዶችዎን (መታወቂያ፣ ጥገኝነት)፣ መድሃኒቶችዎንና የሐኪም ትዕዛዞችዎን፣ "
        "ስልክዎንና ቻርጀርዎን፣ ለአንድ ሰው አንድ ቦርሳ።",
        "on_time": "እባክዎ በሰዓቱ ይምጡ። ይህን ካርድ ይያዙና ለሰራተኞቹ ያሳዩ።",
        "not_arranged": "ጉዞዎ ገና አልተዘጋጀም። እባክዎ ወደ መረጃ መስጫ ቦታ ይምጡ።",
    },
}
"""Card words: language code -> key (:data:`KEYS`) -> text."""


def card_languages(spoken: list[str]) -> tuple[str, ...]:
    """The languages of a card, in order: the first spoken one with a translation, then French for the staff.

    Examples
    --------
    >>> card_languages(["ku", "ar", "en"])
    ('ar', 'fr')
    >>> card_languages(["so"])
    ('fr', 'en')
    >>> card_languages(["fr"])
    ('fr',)
    """
    first = next((code for code in spoken if code in TEXT), None)
    if first is None:
        return FALLBACK
    return (first,) if first == STAFF_LANG else (first, STAFF_LANG)
