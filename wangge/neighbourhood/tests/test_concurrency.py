"""Real parallel transactions on PostgreSQL: a household rating the same service twice at once,
two secretaries appointing a chief to the same unit at once — one wins, the other gets a clear
error, nothing doubled."""

from __future__ import annotations

import pytest
from django.db import connection

from wangge.core.errors import InvalidState
from wangge.neighbourhood import actions
from wangge.neighbourhood.choices import ResourceTier, SelectionMethod
from wangge.neighbourhood.models import Chief, Rating
from wangge.testing.concurrency import run_in_threads

from .conftest import TODAY

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real parallel transactions need PostgreSQL"),
]


def test_two_ratings_of_one_service_by_one_household_at_once(hood):
    service = actions.record_service(actor=hood.user("u11"), resource=hood.resources[ResourceTier.CONVENIENCE],
                                     household=hood.households[(1, 1)], description="代买蔬菜")
    household = hood.households[(1, 1)]
    results = run_in_threads(4, lambda i: actions.rate_service(service=service, household=household,
                                                               service_score=i + 1))
    assert sum(isinstance(r, Rating) for r in results) == 1
    assert sum(isinstance(r, actions.AlreadyRated) for r in results) == 3
    assert Rating.objects.filter(service=service).count() == 1


def test_two_appointments_to_one_unit_at_once(hood):
    unit = hood.units[(2, 2)]
    people = [hood.world.users["clerk"], hood.world.users["clerk2"]]
    results = run_in_threads(2, lambda i: actions.appoint_chief(
        actor=hood.secretary, region=unit, user=people[i], selection_method=SelectionMethod.SELF, term_start=TODAY))
    assert sum(isinstance(r, Chief) for r in results) == 1
    assert sum(isinstance(r, InvalidState) for r in results) == 1
    assert Chief.objects.filter(region=unit, ended_at__isnull=True).count() == 1
