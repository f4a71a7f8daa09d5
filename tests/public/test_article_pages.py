import pytest
from django.urls import reverse

from public.models import Article
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_office_writes_publishes_and_withdraws_an_article(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    response = client.post(
        reverse("public:article-new"),
        {
            "title": "朱泾镇开展爱河护河宣传",
            "summary": "志愿者进社区",
            "body": "正文内容",
            "publish": "1",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.town == d.town_a
    client.logout()
    listing = client.get(reverse("public:article-list")).content.decode()
    assert "朱泾镇开展爱河护河宣传" in listing
    assert client.get(reverse("public:article-detail", args=[article.pk])).status_code == 200

    client.force_login(d.office_b)  # the other town cannot touch it
    assert client.get(reverse("public:article-edit", args=[article.pk])).status_code == 404
    response = client.post(reverse("public:article-unpublish", args=[article.pk]))
    assert response.status_code == 404

    client.force_login(d.office_a)
    client.post(reverse("public:article-unpublish", args=[article.pk]))
    client.logout()
    assert client.get(reverse("public:article-detail", args=[article.pk])).status_code == 404


def test_a_draft_is_not_public_and_a_chief_cannot_write(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    client.post(reverse("public:article-new"), {"title": "草稿", "body": "正文"})
    draft = Article.objects.get()
    assert draft.status == Article.Status.DRAFT
    client.logout()
    assert client.get(reverse("public:article-detail", args=[draft.pk])).status_code == 404
    client.force_login(d.chief_a1)
    assert client.get(reverse("public:article-new")).status_code == 403
    assert client.get(reverse("public:office")).status_code == 403


def test_the_office_sets_the_public_phone_printed_on_signboards(client, two_towns):
    d = two_towns
    client.force_login(d.office_a)
    response = client.post(reverse("public:office"), {"phone": "021-57311111", "address": ""})
    assert response.status_code == 302
    client.logout()
    page = client.get(reverse("public:signboard", args=[d.river_a1.code])).content.decode()
    assert "021-57311111" in page
    other = client.get(reverse("public:signboard", args=[d.river_b1.code])).content.decode()
    assert "021-57311111" not in other


def test_a_superuser_without_a_town_is_told_the_phone_is_a_towns_not_shown_an_error_page(
    client, two_towns
):
    from public.models import OfficeContact

    root = factories.UserFactory(username="root", is_superuser=True, role="", region=None)
    client.force_login(root)
    response = client.post(reverse("public:office"), {"phone": "021-57311111", "address": ""})
    assert response.status_code == 200
    assert "只有镇河长办可以设置监督电话" in response.content.decode()
    assert not OfficeContact.objects.exists()
