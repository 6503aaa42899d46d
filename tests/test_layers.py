"""The import layers: the core names no feature, and no folder imports one above it.

Every ``import`` in ``practice/`` is read with ``ast`` (those inside functions too), so a late
import cannot hide a dependency that points the wrong way.
"""

import ast
from pathlib import Path

import pytest

PRACTICE = Path(__file__).resolve().parent.parent / "practice"

#: Lowest first. A module may import its own layer and the layers below it, never one above.
LAYERS = [
    ("core", {"clock", "extensions", "db_types", "crypto", "fields", "errors", "headers", "audit",
              "pages", "seams", "pdf", "sqlite", "config", "crisis", "paging", "timezones",
              "instance_setup", "mail", "urls", "csrf_tokens", "openapi", "words"}),
    ("auth", {"auth"}),
    ("couples", {"couples"}),
    ("features", {"portal", "admin", "api", "main", "homework", "worksheets", "notes"}),
    ("wiring", {"__init__", "models", "cli", "keys", "demo"}),
]
#: Modules the core must never import, whatever the layer table says.
FEATURE_PACKAGES = {"auth", "couples", "portal", "admin", "api", "homework", "worksheets", "notes"}
CORE = LAYERS[0][1]


def top_name(module: str) -> str | None:
    """``practice.couples.access`` -> ``couples``; anything outside practice -> None."""
    parts = module.split(".")
    if parts[0] != "practice":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(name: str) -> int:
    """The layer index of a top-level module or package of practice."""
    for index, (_, members) in enumerate(LAYERS):
        if name in members:
            return index
    raise AssertionError(f"practice/{name} is in no layer: add it to LAYERS in {__file__}")


def imports_of(path: Path, module: str = "") -> list[tuple[int, str]]:
    """Every practice module a file imports, with its line number (``module``: the file's own name)."""
    module = module or ".".join(path.relative_to(PRACTICE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] +
                                ([base] if base else []))
            # ``from practice import audit`` imports the module practice.audit.
            names = [f"{base}.{alias.name}" if base == "practice" else base for alias in node.names]
            found += [(node.lineno, name) for name in names]
    return [(line, name) for line, name in found if name.startswith("practice")]


def own_top(path: Path) -> str:
    """The top-level module or package a file belongs to."""
    parts = path.relative_to(PRACTICE).with_suffix("").parts
    return parts[0]


SOURCES = sorted(PRACTICE.rglob("*.py"))


def violations(own: str, imports: list[tuple[int, str]]) -> list[str]:
    """What is wrong with a module's imports, one sentence each."""
    wrong = []
    for line, name in imports:
        target = top_name(name)
        if target is None or target == own:
            continue
        if layer_of(target) > layer_of(own):
            wrong.append(f"line {line}: {name} is in a higher layer than {own}")
        elif layer_of(target) == layer_of(own) == 3:
            wrong.append(f"line {line}: feature {own} imports feature {target}; register a seam instead")
        elif own in CORE and target in FEATURE_PACKAGES:
            wrong.append(f"line {line}: the core imports the feature {target}")
    return wrong


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PRACTICE)))
def test_no_import_points_up_a_layer_or_across_features(path):
    wrong = violations(own_top(path), imports_of(path))
    assert not wrong, f"{path.relative_to(PRACTICE.parent)}: " + "; ".join(wrong)


def test_the_checker_catches_what_the_seams_issue_found(tmp_path):
    # The old audit.py imported the user model from the auth package, late imports included.
    probe = tmp_path / "audit.py"
    probe.write_text("from practice.auth.models import User\n\ndef f():\n    from practice import portal\n")
    wrong = violations("audit", imports_of(probe, module="practice.audit"))
    assert len(wrong) == 2 and "practice.auth.models" in wrong[0] and "portal" in wrong[1]
    crossing = tmp_path / "views.py"
    crossing.write_text("from practice.portal import views\n")
    assert "feature admin imports feature portal" in violations(
        "admin", imports_of(crossing, module="practice.admin.views"))[0]


def test_modules_in_one_layer_form_no_circle():
    graph: dict[str, set[str]] = {}
    for path in SOURCES:
        own = own_top(path)
        for _, name in imports_of(path):
            target = top_name(name)
            if target and target != own and layer_of(target) == layer_of(own):
                graph.setdefault(own, set()).add(target)

    def reaches(start, goal, seen=()):
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, (*seen, nxt)))
                   for nxt in graph.get(start, ()))

    circles = sorted(node for node in graph if reaches(node, node))
    assert not circles, f"import circle through: {', '.join(circles)}"


