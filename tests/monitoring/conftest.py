import pytest

from tests.factories import RiverFactory, UserFactory
from tests.monitoring.factories import MonitoringPointFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_WORK_DIR = tmp_path / "imports"


@pytest.fixture
def river(village):
    return RiverFactory(region=village, target_class=4, name="朱泾塘")


@pytest.fixture
def point(river):
    return MonitoringPointFactory(river=river, code="ZJ-01", name="朱泾塘桥")


@pytest.fixture
def other_town_point(db):
    return MonitoringPointFactory(code="XX-09")


@pytest.fixture
def office(town):
    return UserFactory(role="office", region=town, username="office1")
