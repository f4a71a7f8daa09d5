"""The README's hand-run commands work as written, with nothing but the .env that
``./scripts/setup`` writes (DEBUG and SECRET_KEY come from it, not from the test run)."""

import os
import re
import shlex
import subprocess

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR

SEED = """
from core.models import Region
d = Region.objects.create(code="310116", name="金山区", kind="district")
t = Region.objects.create(code="310116102", name="朱泾镇", kind="town", parent=d)
Region.objects.create(code="310116102201", name="待泾村", kind="village", parent=t)
Region.objects.create(code="310116102202", name="秀州村", kind="village", parent=t)
"""


def readme_block(heading: str) -> list[str]:
    """The lines of the first code block after ``heading``, without trailing comments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    block = section.split("```", 2)[1]
    return [re.split(r"\s{2,}#", line)[0].strip() for line in block.splitlines() if line.strip()]


def run(args, env, **kw):
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, **kw
    )


@pytest.fixture
def dotenv(tmp_path):
    """The .env as scripts/setup writes it (in a folder of the test's own)."""
    path = tmp_path / ".env"
    result = run([str(ROOT / "scripts" / "dotenv"), str(path)], env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    return path


def test_setup_writes_a_development_env_once_and_never_overwrites_it(dotenv):
    text = dotenv.read_text()
    assert "DEBUG=true" in text.splitlines()
    key = re.search(r"^SECRET_KEY=(\S+)$", text, re.M).group(1)
    assert len(key) >= 50
    assert "\n./scripts/dotenv\n" in (ROOT / "scripts" / "setup").read_text()  # setup runs it

    again = run([str(ROOT / "scripts" / "dotenv"), str(dotenv)], env=dict(os.environ))
    assert again.returncode == 0
    assert "left as it is" in again.stdout
    assert dotenv.read_text() == text


def test_the_readme_commands_run_as_written(dotenv, tmp_path):
    from rivers.importing import template_xlsx

    commands = readme_block("### Commands by hand")
    assert any("manage.py check" in c for c in commands)
    assert any("import_rivers registry.xlsx" in c for c in commands)
    assert any("celery -A config call" in c for c in commands)
    (tmp_path / "registry.xlsx").write_bytes(template_xlsx())
    # Nothing of the test run: no DEBUG, SECRET_KEY or TESTING; only the .env setup wrote.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(
        ENV_FILE=str(dotenv),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_QUEUE_DIR=str(tmp_path / "queue"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )

    outputs = {}
    for command in commands:
        args = [str(tmp_path / a) if a == "registry.xlsx" else a for a in shlex.split(command)]
        result = run(args, env=env)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        outputs[command] = result.stdout
        if command.endswith("manage.py migrate"):
            seeded = run(
                [".venv/bin/python", "manage.py", "shell", "-c", SEED], env=env
            )  # the town the import and the letters need
            assert seeded.returncode == 0, seeded.stderr

    text = "\n".join(outputs.values())
    assert "System check identified no issues" in text
    assert "dry run: 2 to create" in text
    assert re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-", text)  # celery call: a task id
    assert (tmp_path / "queue").is_dir()  # queued on the embedded broker, not the developer's
