"""The `generate_data` command at a tiny scale: the counts it promises, every state of every
list, tenants kept apart, and a refusal to run twice with the same prefix."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from patrols.models import Round, Signal
from patrols.workflow import Status
from programmes.models import (
    AuditEntry,
    Invitee,
    Organisation,
    OutboxMessage,
    Programme,
    TeamMember,
    User,
)
from recruitment.models import Answer, Application, DoorVisit, SurveyResponse
from recruitment.workflow import Stage

pytestmark = pytest.mark.django_db

PER_LIST = 60  # --scale 0.012


def generate(**extra):
    out = io.StringIO()
    args = {"scale": 0.012, "tenants": 3, "programmes_per_tenant": 2, "prefix": "t", **extra}
    call_command("generate_data", stdout=out, **args)
    return out.getvalue()


def test_every_list_gets_its_rows_across_clients_and_programmes():
    output = generate()
    assert "Done in" in output
    with scopes_disabled():
        clients = Organisation.objects.filter(slug__startswith="t-klant-")
        assert clients.count() == 3
        assert Programme.objects.filter(organisation__in=clients).count() == 6
        for model in (
            Application,
            DoorVisit,
            SurveyResponse,
            Round,
            Signal,
            OutboxMessage,
            Invitee,
        ):
            assert model.objects.count() == PER_LIST, model
            # spread: every programme has its share
            assert model.objects.values("organisation").distinct().count() == 3, model
        # and one entry per programme from the survey service it creates the survey with
        assert AuditEntry.objects.filter(organisation__in=clients).count() == PER_LIST + 6
        assert User.objects.filter(email__startswith="t-").count() == PER_LIST
        assert TeamMember.objects.count() == PER_LIST - 4 - 3 * 3
        assert Answer.objects.count() > PER_LIST


def test_every_state_is_present():
    generate()
    with scopes_disabled():
        assert set(Application.objects.values_list("stage", flat=True)) == set(Stage.values)
        assert set(Signal.objects.values_list("status", flat=True)) == set(Status.values)
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == set(
            OutboxMessage.Status.values
        )
        assert set(Invitee.objects.values_list("status", flat=True)) == set(Invitee.Status.values)
        assert set(DoorVisit.objects.values_list("outcome", flat=True)) == set(
            DoorVisit.Outcome.values
        )
        assert set(SurveyResponse.objects.values_list("channel", flat=True)) == set(
            SurveyResponse.Channel.values
        )
        assert Round.objects.filter(ended_at__isnull=True).exists()
        assert Round.objects.filter(ended_at__isnull=False).exists()
        # dated over two years, not all today
        first, last = (
            Signal.objects.order_by("reported_at").first(),
            Signal.objects.order_by("reported_at").last(),
        )
        assert (last.reported_at - first.reported_at).days > 365


def test_tenants_are_kept_apart():
    generate()
    with scopes_disabled():
        clients = list(Organisation.objects.filter(slug__startswith="t-klant-"))
        for model, path in [
            (Application, "programme__organisation"),
            (DoorVisit, "programme__organisation"),
            (Signal, "programme__organisation"),
            (Signal, "category__organisation"),
            (Round, "programme__organisation"),
            (OutboxMessage, "programme__organisation"),
            (Invitee, "meeting__organisation"),
            (SurveyResponse, "survey__organisation"),
            (TeamMember, "user__organisation"),
        ]:
            rows = model.objects.values_list("organisation", path)
            assert all(own == parent for own, parent in rows), (model, path)
        # walkers of a round are members of its own client
        walkers = Round.walkers.through.objects.values_list(
            "round__organisation", "user__organisation"
        )
        assert all(own == theirs for own, theirs in walkers)
    with scope(organisation=clients[0].pk):
        seen = set(Signal.objects.values_list("organisation", flat=True))
    assert seen == {clients[0].pk}


def test_one_tenant_gets_the_large_signal_set():
    generate(large_tenant_signals=500)
    with scopes_disabled():
        first = Organisation.objects.get(slug="t-klant-1")
        assert Signal.objects.filter(organisation=first).count() == 500 + PER_LIST // 3
        assert Signal.objects.exclude(organisation=first).count() == PER_LIST - PER_LIST // 3


def test_it_refuses_to_run_twice_with_one_prefix_and_adds_with_another():
    generate()
    with pytest.raises(CommandError, match="prefix"):
        generate()
    generate(prefix="u")
    with scopes_disabled():
        assert Signal.objects.count() == 2 * PER_LIST


@pytest.mark.parametrize("bad", [{"scale": 0}, {"scale": 1000}, {"tenants": 0}, {"prefix": "a b"}])
def test_bad_arguments_are_refused_with_a_message(bad):
    with pytest.raises(CommandError):
        generate(**bad)
