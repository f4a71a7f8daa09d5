from datetime import date

import factory

from letters.models import Letter, LetterBatch
from tests.factories import TownFactory


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LetterBatch

    town = factory.SubFactory(TownFactory)
    month = date(2018, 8, 1)
    year = factory.LazyAttribute(lambda o: o.month.year)
    number = factory.Sequence(lambda n: n + 1)


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter

    batch = factory.SubFactory(BatchFactory)
    recipient = factory.LazyAttribute(lambda o: o.chief.user)


def many_chiefs(village, n: int, *, prefix: str = "w") -> list:
    """``n`` village chiefs of ``village``, each with a river of their own, in a few queries."""
    from decimal import Decimal

    from core.models import User
    from rivers.models import Chief, ChiefAssignment, River
    from tests.factories import _PASSWORD_HASH

    users = User.objects.bulk_create(
        [
            User(
                username=f"{prefix}{i:05d}",
                last_name="王",
                first_name=f"{i}",
                role=User.Role.VILLAGE_CHIEF,
                region=village,
                password=_PASSWORD_HASH,
                email=f"{prefix}{i:05d}@example.cn",
                phone=f"137{i:08d}",
            )
            for i in range(n)
        ]
    )
    chiefs = Chief.objects.bulk_create(
        [Chief(user=u, level="village", region=village) for u in users]
    )
    rivers = River.objects.bulk_create(
        [
            River(
                code=f"{prefix.upper()}-{village.code}-{i:05d}",
                name=f"{prefix}河{i}",
                level="village",
                length_km=Decimal("1.2"),
                region=village,
            )
            for i in range(n)
        ]
    )
    ChiefAssignment.objects.bulk_create(
        [
            ChiefAssignment(chief=c, river=r, level="village", start_date=date(2018, 1, 1))
            for c, r in zip(chiefs, rivers, strict=True)
        ]
    )
    return chiefs
