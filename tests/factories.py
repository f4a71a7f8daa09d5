"""One factory per model, with Zhujing-like data. Apps add theirs below."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password

from core.models import Region, User
from rivers.models import Chief, ChiefAssignment, Reach, River, SluiceGate, WaterBody

PASSWORD = "test-pass-123"
_PASSWORD_HASH = make_password(PASSWORD)  # hashed once: hashing per user is slow


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "310116"
    name = "金山区"
    kind = Region.Kind.DISTRICT


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    parent = factory.SubFactory(DistrictFactory)
    # Nine digits whatever the sequence has reached: past 899 towns in one run the code grew a
    # digit, and code[:9] (a region's town) no longer named the town.
    code = factory.Sequence(lambda n: f"310116{100 + n % 900:03d}")
    name = factory.Sequence(lambda n: f"第{n}镇")
    kind = Region.Kind.TOWN


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    parent = factory.SubFactory(TownFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{200 + n % 800:03d}")
    name = factory.Sequence(lambda n: f"第{n}村")
    kind = Region.Kind.VILLAGE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "张"
    first_name = factory.Sequence(lambda n: f"三{n}")
    password = _PASSWORD_HASH
    role = User.Role.OFFICE
    region = factory.SubFactory(TownFactory)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")


class ChiefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chief

    user = factory.SubFactory(UserFactory, role=User.Role.VILLAGE_CHIEF)
    level = "village"
    title = Chief.Title.CHIEF
    region = factory.LazyAttribute(lambda o: o.user.region)


class RiverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = River
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"R{n:05d}")
    name = factory.Sequence(lambda n: f"测试河{n}")
    level = "village"
    length_km = Decimal("1.50")
    region = factory.SubFactory(VillageFactory)
    target_class = 4

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create:
            self.regions.add(*(extracted or [self.region]))


class ReachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reach

    river = factory.SubFactory(RiverFactory)
    name = factory.Sequence(lambda n: f"第{n}段")
    position = factory.Sequence(lambda n: n)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChiefAssignment

    chief = factory.SubFactory(ChiefFactory)
    river = factory.SubFactory(RiverFactory)
    level = factory.LazyAttribute(lambda o: o.chief.level)
    start_date = date(2018, 1, 1)


class SluiceGateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SluiceGate

    code = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"测试闸{n}")
    river = factory.SubFactory(RiverFactory)
    region = factory.LazyAttribute(lambda o: o.river.region)


class WaterBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaterBody

    code = factory.Sequence(lambda n: f"W{n:04d}")
    name = factory.Sequence(lambda n: f"测试塘{n}")
    kind = WaterBody.Kind.POND
    village = factory.SubFactory(VillageFactory)
    area_m2 = Decimal("500")
