"""core is the ground every app stands on: it imports none of the feature apps."""

import ast
from pathlib import Path

from django.conf import settings

CORE = Path(settings.BASE_DIR) / "core"
FEATURE_APPS = {app for app in settings.LOCAL_APPS if app != "core"}


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_core_imports_no_feature_app():
    offending = [
        f"{path.relative_to(CORE.parent)}:{line} imports {module}"
        for path in sorted(CORE.rglob("*.py"))
        for line, module in _imported_modules(path)
        if module.split(".")[0] in FEATURE_APPS
    ]
    assert offending == []


def test_the_scan_sees_an_import_of_a_feature_app(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from rivers.models import River\n", encoding="utf-8")
    assert [m for _, m in _imported_modules(sample)] == ["rivers.models"]


def test_core_settings_name_no_feature_app_in_its_context_processor():
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    core_processors = [p for p in processors if p.startswith("core.")]
    assert core_processors == ["core.context_processors.navigation"]
