"""Crisis resources, configured per locale; nothing here is hard-coded into pages."""

import json
from pathlib import Path

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
