"""Crisis resources, configured per locale; nothing here is hard-coded into pages."""

import json
from pathlib import Path

SHIPPED = Path(__file__).parent / "data" / "crisis"


def crisis_resources(app) -> dict:
    """Return the practice's crisis resources: instance/crisis.json, else the shipped locale file."""
    override = Path(app.instance_path) / "crisis.json"
    path = override if override.exists() else SHIPPED / f"{app.config['CRISIS_LOCALE']}.json"
    return json.loads(path.read_text())
