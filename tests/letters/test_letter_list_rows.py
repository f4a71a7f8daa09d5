"""The letter list's plain rows (core.rows) equal DRF's field-by-field output."""

import pytest

from letters import selectors, services
from letters.serializers import LetterSerializer
from tests import factories
from tests.rows import drf_json

pytestmark = pytest.mark.django_db


def test_the_letter_rows_equal_drfs_representation(
    api_client, batch, town_staff, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(town_staff)
    before = api_client.get("/api/v1/letters/").json()["results"]
    letters = selectors.letters_for(user=town_staff).order_by("id")
    assert before == drf_json(LetterSerializer, letters)
    assert [row["deliveries"] for row in before] == [{}, {}]
    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=town_staff)
    after = api_client.get("/api/v1/letters/").json()["results"]
    assert after == drf_json(LetterSerializer, letters.all())
    assert after[0]["deliveries"]
    assert after[0]["sent_at"]


def test_the_letter_list_takes_a_constant_number_of_queries(
    api_client, batch, town_staff, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_batch(batch=batch, by=town_staff)
    api_client.force_authenticate(town_staff)
    with django_assert_max_num_queries(3):
        assert len(api_client.get("/api/v1/letters/").json()["results"]) == 2


def test_another_towns_office_sees_none_of_the_letters(api_client, batch):
    other = factories.UserFactory(role="office", region=factories.TownFactory())
    api_client.force_authenticate(other)
    assert api_client.get("/api/v1/letters/").json()["results"] == []
