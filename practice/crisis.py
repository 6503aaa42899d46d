"""Crisis resources, configured per locale; nothing here is hard-coded into pages."""

import functools
import json
import re
from pathlib import Path
from urllib.parse import quote

SHIPPED = Path(__file__).parent / "data" / "crisis"


def crisis_resources(app) -> dict:
    """Return the practice's crisis resources: instance/crisis.json, else the shipped file."""
    shipped = SHIPPED / f"{app.config['CRISIS_LOCALE']}.json"
    override = Path(app.instance_path) / "crisis.json"
    if override.exists():
        try:
            resources = json.loads(override.read_text(encoding="utf-8"))
            if isinstance(resources, dict) and resources.get("emergency_number"):
                return resources
            app.logger.error("%s has no emergency_number; showing %s", override, shipped.name)
        except (OSError, UnicodeDecodeError, ValueError):
            # The help page must never fail: a broken override falls back to the shipped list.
            app.logger.exception("Could not read %s; showing %s instead", override, shipped.name)
    return json.loads(shipped.read_text(encoding="utf-8"))


def check_locale(app) -> None:
    """Refuse to start with a crisis locale that has no shipped resources and no override."""
    shipped = SHIPPED / f"{app.config['CRISIS_LOCALE']}.json"
    if not shipped.exists() and not (Path(app.instance_path) / "crisis.json").exists():
        choices = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.json")))
        raise RuntimeError(
            f"CRISIS_LOCALE={app.config['CRISIS_LOCALE']!r} has no crisis resources. "
            f"Choose one of {choices}, or write instance/crisis.json."
        )


KEYWORDS = SHIPPED / "keywords.txt"


@functools.cache
def _keyword_pattern() -> re.Pattern:
    """One whole-word, case-insensitive pattern for every shipped crisis keyword."""
    lines = KEYWORDS.read_text(encoding="utf-8").splitlines()
    phrases = sorted({line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")},
                     key=len, reverse=True)
    spaced = (r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases)
    return re.compile(r"(?<!\w)(?:" + "|".join(spaced) + r")(?!\w)")


def mentions_crisis(texts) -> bool:
    """Whether any of ``texts`` names self-harm or violence, so the crisis lines show to its author."""
    pattern = _keyword_pattern()
    return any(isinstance(text, str) and pattern.search(text.casefold().replace("’", "'")) for text in texts)


#: "Text START to 88788", "Text 988": the number and word of a text line written as one sentence,
#: as older instance/crisis.json files have it (the shipped files carry text_number and text_body).
TEXT_LINE = re.compile(r"^\s*text\s+(?:(?P<body>\S+)\s+to\s+)?(?P<number>\+?\d[\d\s().-]*?)\s*$", re.I)


def crisis_lines(resources: dict) -> list[dict]:
    """The crisis and abuse lines as plain data, each with its tel: and sms: links ready to tap."""
    headings = (
        ("crisis_line", "If you are thinking about suicide or are in crisis",
         "Free, confidential, any time of day."),
        ("dv_line", "If you are afraid of, controlled by, or hurt by a partner",
         "Confidential support and safety planning. Your partner is not told."),
    )
    lines = []
    for key, heading, why in headings:
        line = resources.get(key)
        if not isinstance(line, dict):
            continue
        phone, text = line.get("phone"), line.get("text")
        lines.append({
            "heading": heading, "why": why, "name": line.get("name"), "url": line.get("url"),
            "phone": phone, "tel": tel_href(phone) if phone else None,
            "text": text, "sms": sms_href(line),
        })
    return lines


def tel_href(number: str) -> str:
    """A tel: link a phone can dial: digits and a leading plus only."""
    return "tel:" + re.sub(r"(?!^\+)[^\d]", "", str(number).strip())


def sms_href(line: dict) -> str | None:
    """An sms: link with the number and, for keyword lines, the word already typed in."""
    number, body = line.get("text_number"), line.get("text_body")
    if not number and line.get("text"):
        match = TEXT_LINE.match(str(line["text"]))
        if match:
            number, body = match["number"], match["body"]
    if not number:
        return None
    href = "sms:" + re.sub(r"[^\d+]", "", str(number))
    # "?&body=" is the form both Android (a query) and iOS (an "&body=" suffix) read.
    return href + "?&body=" + quote(str(body)) if body else href
