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
