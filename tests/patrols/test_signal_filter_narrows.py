"""The client's signal list opens by its own statements when the filter form narrows nothing
(`SignalFilterForm.narrows`): that answer must be the filter's own, for every field alone,
for wrong values (ignored by the filter) and for none."""

import pytest
from django_scopes import scopes_disabled

from patrols.forms import SignalFilterForm
from patrols.models import Signal
from programmes.permissions import Role

pytestmark = pytest.mark.django_db

CASES = [
    {},
    {"status": ""},
    {"status": "open"},
    {"status": "resolved"},
    {"status": "nonsense"},
    {"category": "CATEGORY"},
    {"category": "abc"},
    {"programme": "PROGRAMME"},
    {"start": "2026-01-01"},
    {"end": "2026-12-31"},
    {"start": "1200-01-01"},
    {"urgent": "on"},
    {"overdue": "on"},
    {"mine": "on"},
    {"my_department": "on"},
    {"urgent": ""},
]


@pytest.mark.parametrize("data", CASES, ids=[str(c) for c in CASES])
def test_narrows_says_what_the_filter_does(team, world, data):
    programme, _member, categories = team
    category = categories[0]
    values = {
        k: str(category.pk) if v == "CATEGORY" else str(programme.pk) if v == "PROGRAMME" else v
        for k, v in data.items()
    }
    with scopes_disabled():
        form = SignalFilterForm(
            values,
            categories=categories,
            programmes=[programme],
            user=world.users[Role.CLIENT_STAFF],
        )
        signals = Signal.objects.all()
        filtered = form.filter(signals)
        assert form.narrows() == (str(filtered.query) != str(signals.query)), values
    unbound = SignalFilterForm(categories=categories, programmes=[programme])
    assert not unbound.narrows()
