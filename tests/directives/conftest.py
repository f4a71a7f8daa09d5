import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from directives import services
from directives.models import Source
from tests import factories


@pytest.fixture(autouse=True)
def _sms(settings):
    from notices.sms import LocmemBackend

    settings.SMS_BACKEND = "notices.sms.LocmemBackend"
    LocmemBackend.outbox.clear()


@pytest.fixture
def town_chief(town):
    user = factories.UserFactory(role="town_chief", region=town)
    return factories.ChiefFactory(user=user, level="town", region=town)


@pytest.fixture
def chief(village_chief, town_chief):
    """The village chief's Chief profile, reporting to a town chief."""
    profile = village_chief.chief
    profile.superior = town_chief
    profile.save()
    return profile


@pytest.fixture
def river(village):
    return factories.RiverFactory(region=village, name="秀州塘")


@pytest.fixture
def other_town_river():
    return factories.RiverFactory(name="外镇河")


def photo(name: str = "after.jpg", color: str = "green") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def make_order(town_staff, village, river, chief):
    def make(**overrides):
        fields = {
            "issued_by": town_staff,
            "river": river,
            "title": "河面漂浮垃圾",
            "description": "秀州塘桥下有大量漂浮垃圾和水葫芦",
            "deadline": date(2026, 3, 10),
            "issued_on": date(2026, 3, 1),
            "source": Source.PHONE_REPORT,
            "target_village": village,
        }
        fields.update(overrides)
        return services.issue_directive(**fields)

    return make
