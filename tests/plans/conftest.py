import pytest

from tests import factories
from tests.plans.factories import MeasureFactory, PlanFactory, ProgrammeFactory


@pytest.fixture
def programme(town):
    return ProgrammeFactory(region=town)


@pytest.fixture
def river(village):
    return factories.RiverFactory(region=village)


@pytest.fixture
def plan(programme, river):
    return PlanFactory(programme=programme, river=river)


@pytest.fixture
def measure(plan, village_chief):
    return MeasureFactory(plan=plan, owner_chief=village_chief.chief)
