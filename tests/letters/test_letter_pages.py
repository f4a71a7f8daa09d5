import shutil
import subprocess

from django.urls import reverse

from letters import services
from letters.models import Letter, LetterBatch
from tests import factories
from tests.conftest import require
from tests.factories import PASSWORD


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _send(batch, by, capture):
    with capture(execute=True):
        services.send_batch(batch=batch, by=by)


def test_office_sees_batches_and_creates_one(client, town_staff, chief_a):
    _login(client, town_staff)
    assert client.get(reverse("letters:inbox")).status_code == 200
    r = client.post(
        reverse("letters:batch-create"), {"month": "2018-09", "town": town_staff.region_id}
    )
    batch = LetterBatch.objects.get()
    assert r.status_code == 302
    assert r.url == reverse("letters:batch-detail", args=[batch.pk])
    r = client.post(
        reverse("letters:batch-create"), {"month": "2018-09", "town": town_staff.region_id}
    )
    assert LetterBatch.objects.count() == 1
    r = client.get(reverse("letters:inbox"))
    assert "已存在" in r.content.decode()


def test_office_previews_a_letter_and_the_totals_before_sending(
    client, town_staff, batch, chief_a, django_assert_max_num_queries
):
    _login(client, town_staff)
    with django_assert_max_num_queries(30):
        r = client.get(reverse("letters:batch-detail", args=[batch.pk]))
    html = r.content.decode()
    assert "发送全部 2 封信" in html
    letter = batch.letters.get(chief=chief_a[0])
    r = client.get(reverse("letters:letter-detail", args=[letter.pk]))
    html = r.content.decode()
    assert "预览" in html
    assert chief_a[1][0].name in html
    letter.refresh_from_db()
    assert letter.status == "pending"  # a preview saves nothing
    assert letter.body == ""


def test_sending_from_the_page_then_the_chief_reads_the_letter_with_a_receipt(
    client, town_staff, batch, chief_a, django_capture_on_commit_callbacks
):
    _login(client, town_staff)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("letters:batch-send", args=[batch.pk]))
    assert r.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "sent"
    client.logout()
    chief = chief_a[0]
    _login(client, chief.user)
    r = client.get(reverse("letters:inbox"))
    letter = Letter.objects.get(batch=batch, chief=chief)
    assert letter.subject in r.content.decode()
    assert "未读" in r.content.decode()
    r = client.get(reverse("letters:letter-detail", args=[letter.pk]))
    assert r.status_code == 200
    letter.refresh_from_db()
    assert letter.read_at is not None
    assert letter.notification.read_at is not None


def test_a_chief_cannot_open_another_chiefs_letter_or_an_unsent_one(
    client, batch, chief_a, chief_b, town_staff, django_capture_on_commit_callbacks
):
    _login(client, chief_a[0].user)
    own = batch.letters.get(chief=chief_a[0])
    assert client.get(reverse("letters:letter-detail", args=[own.pk])).status_code == 403
    _send(batch, town_staff, django_capture_on_commit_callbacks)
    theirs = batch.letters.get(chief=chief_b[0])
    assert client.get(reverse("letters:letter-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("letters:letter-pdf", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("letters:batch-detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("letters:batch-send", args=[batch.pk])).status_code == 404


def test_office_of_another_town_cannot_see_the_batch(client, batch):
    stranger = factories.UserFactory(role="office", region=factories.TownFactory())
    _login(client, stranger)
    assert client.get(reverse("letters:batch-detail", args=[batch.pk])).status_code == 404


def test_the_letter_pdf_is_chinese_text(
    client, town_staff, batch, chief_a, django_capture_on_commit_callbacks, tmp_path
):
    _send(batch, town_staff, django_capture_on_commit_callbacks)
    letter = batch.letters.get(chief=chief_a[0])
    _login(client, chief_a[0].user)
    r = client.get(reverse("letters:letter-pdf", args=[letter.pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "致河长信" in text
    assert chief_a[1][0].name in text


def test_the_template_page_refuses_an_unknown_field_naming_it(client, town_staff):
    _login(client, town_staff)
    r = client.post(
        reverse("letters:template-edit"),
        {"subject": "{{ batch.month }}的信", "body": "{{ chief.name }}{{ river.colour }}"},
    )
    assert r.status_code == 200
    assert "river.colour" in r.content.decode()
    r = client.post(
        reverse("letters:template-edit"),
        {"subject": "{{ batch.month }}的信", "body": "{{ chief.name }}您好"},
    )
    assert r.status_code == 302
