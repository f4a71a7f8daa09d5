"""Issue 13 item 5: uploads are served only to callers whose scope holds the owning record."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from patrols.models import Finding, FindingPhoto


def _jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (4, 3), "blue").save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MEDIA_SERVE_MODE = "django"


@pytest.fixture
def photo(two_towns):
    d = two_towns
    finding = Finding.objects.create(
        river=d.river_a1,
        region=d.village_a1,
        category=Finding.Category.GARBAGE,
        note="桥下漂浮垃圾",
        found_at=timezone.now(),
        reported_by=d.chief_a1,
    )
    photo = FindingPhoto(finding=finding)
    photo.image.save("IMG_0001.jpg", ContentFile(JPEG), save=False)
    photo.width, photo.height = 4, 3
    photo.save()
    return photo


def test_a_new_upload_gets_an_unguessable_name_in_its_apps_folder(photo):
    name = photo.image.name
    assert name.startswith("patrols/findings/")
    assert "IMG_0001" not in name
    assert str(photo.client_id) not in name
    assert len(name.rsplit("/", 1)[1]) >= 32


def test_the_owners_village_chief_and_town_office_see_the_photo(two_towns, photo, client):
    for user in (two_towns.chief_a1, two_towns.office_a):
        client.force_login(user)
        response = client.get(photo.image.url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == JPEG
        assert response["Cache-Control"].startswith("private")


def test_the_other_town_and_the_other_village_get_404(two_towns, photo, client):
    for user in (two_towns.office_b, two_towns.chief_b1, two_towns.chief_a2):
        client.force_login(user)
        assert client.get(photo.image.url).status_code == 404, user


def test_an_anonymous_caller_is_sent_to_log_in_and_gets_no_bytes(photo, client):
    response = client.get(photo.image.url)
    assert response.status_code in (302, 404)
    assert JPEG not in response.content


def test_a_guessed_or_traversing_path_is_404(two_towns, photo, client, settings):
    client.force_login(two_towns.office_a)
    folder = photo.image.name.rsplit("/", 1)[0]
    (settings_root := __import__("pathlib").Path(settings.MEDIA_ROOT)).joinpath(
        "secret.txt"
    ).write_text("x")
    for url in (
        f"/media/{folder}/IMG_0001.jpg",
        "/media/secret.txt",
        "/media/patrols/findings/../../secret.txt",
        "/media/patrols/findings/%2e%2e/%2e%2e/secret.txt",
    ):
        assert client.get(url).status_code == 404, url
    assert settings_root.joinpath("secret.txt").exists()


def test_in_x_accel_mode_the_web_server_sends_the_file(two_towns, photo, client, settings):
    settings.MEDIA_SERVE_MODE = "x-accel"
    settings.MEDIA_ACCEL_PREFIX = "/protected-media/"
    client.force_login(two_towns.office_a)
    response = client.get(photo.image.url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response.content == b""
    client.force_login(two_towns.office_b)
    assert "X-Accel-Redirect" not in client.get(photo.image.url)


def test_in_x_sendfile_mode_the_header_names_the_file(two_towns, photo, client, settings):
    settings.MEDIA_SERVE_MODE = "x-sendfile"
    client.force_login(two_towns.office_a)
    response = client.get(photo.image.url)
    assert response["X-Sendfile"] == photo.image.path


def _order_attachment(d):
    from datetime import date

    from directives.models import Attachment
    from directives.services import issue_directive

    directive = issue_directive(
        issued_by=d.office_a,
        river=d.river_a1,
        title="清理漂浮物",
        description="河面漂浮垃圾",
        deadline=date(2030, 1, 1),
        source="phone_report",
        target_village=d.village_a1,
        target_chief=d.chief_a1.chief,
        notify_target=False,
    )
    attachment = Attachment(directive=directive, kind="attachment", name="现场.pdf")
    attachment.uploaded_by = d.office_a
    attachment.file.save("现场.pdf", ContentFile(b"%PDF-1.4 order"), save=True)
    return attachment.file


def _lab_file(d):
    from monitoring.models import ImportJob

    job = ImportJob(original_name="lab.csv", created_by=d.office_a)
    job.file.save("lab.csv", ContentFile(b"point,date\n"), save=True)
    return job.file


@pytest.mark.parametrize("make", [_order_attachment, _lab_file])
def test_order_attachments_and_lab_files_follow_their_records_scope(two_towns, client, make):
    d = two_towns
    stored = make(d)
    assert "现场" not in stored.name
    assert "lab" not in stored.name.rsplit("/", 1)[1]
    client.force_login(d.office_a)
    response = client.get(stored.url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment"  # not an image: never rendered inline
    client.force_login(d.office_b)
    assert client.get(stored.url).status_code == 404
    client.logout()
    assert client.get(stored.url).status_code == 302
