from datetime import date

import factory

from plans.models import Measure, Plan, PlanTarget, Programme, ResponsibilityLetter
from tests.factories import RiverFactory, TownFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"消除劣Ⅴ类水体三年行动计划{n}")
    region = factory.SubFactory(TownFactory)
    start_date = date(2018, 1, 1)
    end_date = date(2020, 12, 31)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    programme = factory.SubFactory(ProgrammeFactory)
    river = factory.SubFactory(RiverFactory)
    region = factory.LazyAttribute(lambda o: o.river.region if o.river else o.programme.region)
    title = factory.LazyAttribute(lambda o: f"{o.river.name if o.river else '小微水体'}一河一策")
    problems = "生活污水直排"


class PlanTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTarget

    plan = factory.SubFactory(PlanFactory)
    year = 2018
    water_class = 5


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"截污纳管{n}")
    owner_unit = "镇水务站"
    deadline = date(2019, 6, 30)


class ResponsibilityLetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResponsibilityLetter

    programme = factory.SubFactory(ProgrammeFactory)
    region = factory.LazyAttribute(lambda o: o.programme.region)
    signed_on = date(2018, 3, 1)
    party_a = "总河长"
    party_b = "村河长"
