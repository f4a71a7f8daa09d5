"""Factories for inspection rounds and work orders (orders are made through the service)."""

from datetime import date

import factory

from directives.models import InspectionRound, WorkOrder
from tests.factories import TownFactory


class InspectionRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionRound

    town = factory.SubFactory(TownFactory)
    name = "黑臭水体整治检查"
    group = "市水务局第三检查组"
    start_date = date(2018, 9, 10)
    end_date = date(2018, 9, 12)


class WorkOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkOrder

    inspection_round = factory.SubFactory(InspectionRoundFactory)
    number = factory.Sequence(lambda n: f"三组-{n + 1:02d}")
    content = "河道两岸垃圾清理不到位"
    issued_on = date(2018, 9, 12)
    reply_deadline = date(2018, 9, 26)
