"""Schemathesis over every operation of the API schema, as a write token and as an office.

Each operation gets a bounded number of generated requests (``SCHEMATHESIS_MAX_EXAMPLES``,
default 5, so the whole run stays within a few minutes on a small CI machine), derandomized so
CI sees the same requests every run. Every answer must not be a 5xx, must use a status code
the schema documents, and its body must match the schema. Detail operations are also called
with the id of a real object of the two towns, so they answer 200 and not only 404.
"""

import os
import re

import pytest
import schemathesis
from django.core.cache import cache
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def _known_ids(d) -> dict[str, int]:
    """The id of a real object for each collection of the API, keyed by its path prefix."""
    return {
        "/api/v1/regions/": d.town_a.pk,
        "/api/v1/rivers/": d.river_a1.pk,
    }


@pytest.fixture
def connection_kept_open():
    """Keep the test's database connection across in-process WSGI calls (as Django's Client does).

    The WSGI handler closes the connection when a request finishes; the test's transaction
    would end with it.
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_callers(two_towns, connection_kept_open):
    d = two_towns
    session = Client()
    session.force_login(d.office_a)
    csrf = _get_new_csrf_string()
    return {
        "token": {"headers": {"Authorization": f"Token {d.write_token[1]}"}, "cookies": {}},
        "session": {
            "headers": {"X-CSRFToken": csrf},
            "cookies": {"sessionid": session.cookies["sessionid"].value, "csrftoken": csrf},
        },
        "ids": _known_ids(d),
    }


def _call(case, caller):
    headers = dict(caller["headers"])
    if caller["cookies"]:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in caller["cookies"].items())
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["token", "session"])
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_api_operation_answers_within_its_schema(case, caller, api_callers):
    cache.clear()  # rate limits (Open311 posts, throttles) would otherwise answer 429
    who = api_callers[caller]
    _call(case, who)
    if case.path_parameters and "id" in case.path_parameters:
        prefix = re.sub(r"\{id\}.*$", "", case.operation.path)
        known = api_callers["ids"].get(prefix)
        if known is not None:
            case.path_parameters["id"] = known
            _call(case, who)


# --- what the run found, each pinned on its own -------------------------------------------------


def test_a_page_number_past_the_database_offset_range_answers_404_not_500(two_towns):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {two_towns.write_token[1]}")
    response = client.get("/api/v1/rivers/", {"page": "67296140369226382124562511571189760"})
    assert response.status_code == 404


def test_the_schema_says_an_assignment_without_a_reach_has_a_null_reach_name(client):
    schema = client.get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["Assignment"]["properties"]["reach_name"]["nullable"]


def test_the_schema_gives_open311_errors_as_a_list_and_every_operation_a_404(client):
    schema = client.get("/api/schema/?format=json").json()
    get = schema["paths"]["/api/v1/open311/v2/requests/{service_request_id}.json"]["get"]
    assert get["responses"]["404"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "404" in schema["paths"]["/api/v1/regions/{id}/"]["get"]["responses"]


def test_an_open311_post_whose_body_does_not_parse_answers_in_georeport_error_shape(client):
    response = client.post(
        "/api/v1/open311/v2/requests.json", data="{", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400
