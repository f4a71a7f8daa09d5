from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from public import services
from public.models import Article
from public.selectors import articles_published, public_articles

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_articles_published_counts_published_articles_of_the_region_in_the_year(two_towns):
    d = two_towns
    for at in (
        datetime(2018, 1, 1, 0, 0, tzinfo=TZ),  # first moment of 2018 in Shanghai
        datetime(2018, 12, 31, 23, 59, tzinfo=TZ),
        datetime(2019, 1, 1, 0, 0, tzinfo=TZ),  # next year
        datetime(2017, 12, 31, 23, 59, tzinfo=TZ),
    ):
        article = services.save_article(by=d.office_a, title=f"报道{at}", body="正文")
        services.publish_article(article=article, by=d.office_a, at=at)
    services.save_article(by=d.office_a, title="草稿", body="正文")  # never published
    other = services.save_article(by=d.office_b, title="亭林报道", body="正文")
    services.publish_article(article=other, by=d.office_b, at=datetime(2018, 6, 1, tzinfo=TZ))

    assert articles_published(region=d.town_a, year=2018) == 2
    assert articles_published(region=d.town_b, year=2018) == 1
    assert articles_published(region=d.district, year=2018) == 3
    assert articles_published(region=d.town_a, year=2019) == 1


def test_an_unpublished_article_no_longer_counts_nor_shows(two_towns):
    d = two_towns
    article = services.save_article(by=d.office_a, title="撤回的报道", body="正文")
    services.publish_article(article=article, by=d.office_a, at=datetime(2018, 3, 1, tzinfo=TZ))
    assert articles_published(region=d.town_a, year=2018) == 1
    services.unpublish_article(article=article, by=d.office_a)
    assert articles_published(region=d.town_a, year=2018) == 0
    assert not public_articles().filter(pk=article.pk).exists()


def test_the_other_towns_office_cannot_edit_or_publish_an_article(two_towns):
    d = two_towns
    article = services.save_article(by=d.office_a, title="朱泾报道", body="正文")
    with pytest.raises(PermissionDenied):
        services.publish_article(article=article, by=d.office_b)
    with pytest.raises(PermissionDenied):
        services.save_article(by=d.office_b, article=article, title="改", body="改")
    with pytest.raises(PermissionDenied):
        services.save_article(by=d.chief_a1, title="村里写的", body="正文", town=d.town_a)
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
