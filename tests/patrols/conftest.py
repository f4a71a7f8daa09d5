import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.patrols.factories import chief_on_river, make_jpeg


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def chief_river(village):
    """(chief, river): a village chief assigned to a river of their village."""
    return chief_on_river(village)


@pytest.fixture
def jpeg():
    def upload(name="photo.jpg", **kwargs):
        return SimpleUploadedFile(name, make_jpeg(**kwargs), content_type="image/jpeg")

    return upload
