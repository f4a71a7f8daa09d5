from datetime import datetime
from zoneinfo import ZoneInfo

import factory

from monitoring.models import MonitoringPoint, Sample
from tests.factories import RiverFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(year, month, day=15, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class MonitoringPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringPoint

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"断面{n}")
    river = factory.SubFactory(RiverFactory)
    region = factory.LazyAttribute(lambda o: o.river.region)
    position = factory.Sequence(lambda n: n + 1)
    latitude = "30.900000"
    longitude = "121.170000"


class SampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sample

    point = factory.SubFactory(MonitoringPointFactory)
    sampled_at = factory.Sequence(lambda n: at(2018, 1 + n % 12, 1 + n % 28, n % 24))
    source = Sample.Source.MANUAL
    sampler = "李明"
    lab = "朱泾镇水质检测室"
