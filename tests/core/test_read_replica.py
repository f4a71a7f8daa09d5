"""The read-replica router: API list reads go to the replica alias, the rest to default.

The tests use the second alias ``replica`` that settings define in tests (a mirror of the
test database), so a query's alias shows where the router sent it.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from core.replica import ReadReplicaRouter, list_reads
from rivers.models import River
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_READ_REPLICA = "replica"


def test_an_api_list_reads_its_rows_from_the_replica(with_replica, api_client, town_staff):
    factories.RiverFactory(region=factories.VillageFactory(parent=town_staff.region))
    api_client.force_authenticate(town_staff)
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        response = api_client.get("/api/v1/rivers/")
    assert response.status_code == 200
    assert response.json()["results"]
    assert any("rivers_river" in q["sql"] for q in on_replica.captured_queries)
    assert not any("rivers_river" in q["sql"] for q in on_default.captured_queries)


def test_a_detail_read_and_a_write_stay_on_the_primary(with_replica, api_client, town_staff):
    river = factories.RiverFactory(region=factories.VillageFactory(parent=town_staff.region))
    api_client.force_authenticate(town_staff)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert api_client.get(f"/api/v1/rivers/{river.pk}/").status_code == 200
        response = api_client.patch(
            f"/api/v1/rivers/{river.pk}/", {"note": "新备注"}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert on_replica.captured_queries == []
    assert River.objects.get(pk=river.pk).note == "新备注"


def test_without_a_replica_configured_list_reads_use_default(settings):
    settings.DATABASE_READ_REPLICA = None
    with list_reads():
        assert ReadReplicaRouter().db_for_read(River) is None


def test_reads_inside_a_transaction_on_default_stay_on_default(with_replica):
    from django.db import transaction

    router = ReadReplicaRouter()
    with list_reads():
        assert router.db_for_read(River) == "replica"
        with transaction.atomic():
            assert router.db_for_read(River) is None
    assert router.db_for_read(River) is None
