import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _sms(settings):
    from notices.sms import LocmemBackend

    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    LocmemBackend.outbox.clear()


def chief_with_rivers(region, *, n=1, level="village", role="village_chief", username=None):
    """A chief in ``region`` with ``n`` rivers of their own; returns (chief, [rivers])."""
    kw = {"username": username} if username else {}
    user = factories.UserFactory(role=role, region=region, **kw)
    chief = factories.ChiefFactory(user=user, level=level, region=region)
    rivers = [factories.RiverFactory(region=region, level=level) for _ in range(n)]
    for river in rivers:
        factories.AssignmentFactory(chief=chief, river=river, level=level)
    return chief, rivers


@pytest.fixture
def chief_a(village):
    return chief_with_rivers(village, n=2)


@pytest.fixture
def chief_b(other_village):
    return chief_with_rivers(other_village, n=1)


@pytest.fixture
def batch(town, town_staff, chief_a, chief_b):
    from letters import services

    return services.create_batch(town=town, month="2018-09", by=town_staff)
