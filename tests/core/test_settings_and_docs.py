"""Production settings, the API schema and its offline docs."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings


def clean_env(**values) -> dict:
    """A production-like environment: nothing the test run set (DEBUG, TESTING, the async
    escape hatch that the browser fixtures need, …) leaks into the child process, and no
    developer's .env (scripts/setup writes one with DEBUG=true) is read."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env["ENV_FILE"] = os.devnull
    env.update(values)
    return env


def test_production_settings_pass_the_deploy_check_without_warnings():
    env = clean_env(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="x")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = clean_env(DEBUG="false", ALLOWED_HOSTS="x")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_the_openapi_schema_generates_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache, list(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, list(GENERATOR_STATS._error_cache)
    for path in ("/api/v1/rivers/", "/api/v1/assignments/{id}/end/", "/api/v1/regions/"):
        assert path in schema["paths"]


@pytest.mark.django_db
def test_the_api_docs_load_their_assets_from_our_own_static_files(client):
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert client.get("/api/schema/").status_code == 200
