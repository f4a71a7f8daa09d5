"""The inbox (消息) shows a letter as a title, one line and a link, not the whole letter."""

import pytest

from letters import services
from letters.models import Letter

pytestmark = pytest.mark.django_db


def test_a_letter_in_the_inbox_is_a_title_one_line_and_a_link(client, two_towns):
    d = two_towns
    batch = services.create_batch(town=d.town_a, month="2018-09", by=d.office_a)
    letter = batch.letters.get(chief=d.chief_a1.chief)
    services.send_batch(batch=batch, by=d.office_a)
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.PENDING)
    services.compose_and_send_letter(letter_id=letter.pk)
    letter.refresh_from_db()
    lines = [line for line in letter.body.splitlines() if line.strip()]
    assert len(lines) > 5  # a whole letter went out by e-mail

    client.force_login(d.chief_a1)
    page = client.get("/notices/").content.decode()
    assert letter.subject in page
    assert f'href="/letters/{letter.pk}/"' in page
    assert lines[-1] not in page  # the letter's end is not in the inbox
    assert "<br>" not in page.split('class="list"')[1]
    assert page.count('class="muted one-line"') == 1
