"""Schemathesis against the Open311 endpoints: generated requests never get a 5xx."""

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).include(
    path_regex="/open311/"
)


@pytest.fixture
def open311_data(two_towns):
    from public import services

    services.submit_report(
        river=two_towns.river_a1, category="garbage", text="河面有垃圾需要清理", address="x"
    )
    _client, key = services.create_open311_client(name="schemathesis")
    return key


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_open311_endpoints_never_answer_a_server_error(case, open311_data):
    cache.clear()  # the hourly rate limit would otherwise answer 429 to most POSTs
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
