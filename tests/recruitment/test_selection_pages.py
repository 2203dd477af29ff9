"""The selection page at size: a page of applicants at a time, in stage order, with a stage
filter that the page links keep; duplicates found through the stored keys even when the other
application is on another page."""

import re

import pytest
from django.urls import reverse

from programmes.permissions import Role
from recruitment import selectors, services
from recruitment.models import Application
from recruitment.views import SelectionView
from recruitment.workflow import Stage


@pytest.fixture
def programme(team):
    programme = team[0]
    services.campaign_save(actor=None, programme=programme, is_open=True)
    return programme


@pytest.fixture
def pl(world):
    return world.users[Role.PROJECT_LEADER]


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    """Five applicants a page, so a few rows make several pages."""
    monkeypatch.setattr(SelectionView, "paginate_by", 5)


def _apply(programme, i, **fields):
    data = {
        "name": f"Bewoner {i}",
        "email": f"b{i}@example.org",
        "street": "Lindelaan",
        "house_number": str(i),
        "postcode": "3031 AB",
        "motivation": "Ik wil meedoen.",
    }
    data.update(fields)
    return services.application_submit(programme=programme, consent="ja", **data)


def _url(world, programme):
    return reverse(
        "recruitment:programme_selection",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )


def test_duplicates_at_both_keys_ignore_case_and_spaces(programme):
    first = _apply(programme, 0, name="Fatma Yilmaz", house_number="7")
    by_email = _apply(programme, 1, name="F. Yilmaz", house_number="9")
    by_address = _apply(programme, 2, name="  fatma  YILMAZ ", house_number=" 7 ")
    same_street = _apply(programme, 3, name="FATMA yilmaz", house_number="7", postcode="1000 AA")
    elsewhere = _apply(programme, 4, name="Fatma Yilmaz", house_number="7", street="Dorpsstraat")
    # Stored as typed (a paper form keyed in by hand), the keys still match.
    Application.objects.filter(pk=by_email.pk).update(email="  B0@Example.ORG ")
    Application.objects.filter(pk=by_address.pk).update(postcode="3031ab")
    Application.objects.filter(pk=elsewhere.pk).update(postcode="9999 ZZ")
    live = selectors.applications_for_selection(programme=programme)
    found = {
        pk: tuple(t.pk if t else None for t in pair)
        for pk, pair in selectors.duplicates_of(programme=programme, applications=live).items()
    }
    assert found[first.pk] == (by_email.pk, by_address.pk)
    assert found[by_email.pk] == (first.pk, None)
    assert found[by_address.pk] == (None, first.pk)
    assert found[same_street.pk] == (None, first.pk)  # same street, other postcode
    assert found[elsewhere.pk] == (None, None)  # same name and number, other street and postcode


def test_a_duplicate_on_another_page_is_marked(client, world, programme, pl):
    oldest = _apply(programme, 0, name="Fatma Yilmaz", email="fatma@example.org")
    for i in range(1, 6):
        _apply(programme, i)
    _apply(programme, 99, name="Fatma Yilmaz", email="FATMA@example.org", house_number="12")
    client.force_login(pl)
    last = client.get(_url(world, programme) + "?page=2").content.decode()
    assert f'data-duplicate="{oldest.pk}"' in last
    assert "Zelfde e-mailadres als Fatma Yilmaz" in last


def test_pages_keep_the_stage_filter_and_reach_every_row(client, world, programme, pl):
    for i in range(7):
        services.application_move(actor=pl, application=_apply(programme, i), stage=Stage.INTERVIEW)
    applied = _apply(programme, 100, name="Piet Aanmelder")
    client.force_login(pl)
    url = _url(world, programme)
    first = client.get(url + "?stage=interview").content.decode()
    assert "Piet Aanmelder" not in first
    assert re.search(r'href="\?stage=interview&amp;page=2"', first)
    assert "Kennismakingsgesprek (7)" in first and "Aangemeld (1)" in first
    second = client.get(url + "?stage=interview&page=2").content.decode()
    shown = set(re.findall(r"Volgende stap voor (Bewoner \d+)", first + second))
    assert shown == {f"Bewoner {i}" for i in range(7)}
    # Every stage: the applicant who is at another stage than the page shows is one link away.
    everything = client.get(url).content.decode()
    assert "Toon de 1 aanmelding in deze fase" in everything or "Piet Aanmelder" in everything
    # A row's action still works from a filtered page, and leads back to it.
    target = Application.objects.get(name="Bewoner 3")
    response = client.post(
        url + "?stage=interview&page=2",
        {"application": target.pk, "stage": Stage.NOT_SELECTED, "confirm": "1"},
    )
    assert response.status_code == 302
    assert response.url == url + "?stage=interview&page=2"
    target.refresh_from_db()
    assert target.stage == Stage.NOT_SELECTED
    applied.refresh_from_db()
    assert applied.stage == Stage.APPLIED


def test_the_client_reaches_every_candidate_and_every_decision(
    client, world, programme, pl, monkeypatch
):
    from programmes.pagination import PER_PAGE
    from recruitment.views import CandidatesView

    monkeypatch.setattr(CandidatesView, "decided_shown", 2)
    staff = world.users[Role.CLIENT_STAFF]
    made = []
    for i in range(4):
        a = _apply(programme, i)
        services.application_move(actor=pl, application=a, stage=Stage.INTERVIEW)
        services.application_move(actor=pl, application=a, stage=Stage.PROPOSED, advice="Goed")
        made.append(a)
    for a in made[:3]:
        services.application_decide(actor=staff, application=a, approve=True, reason="Prima")
    client.force_login(staff)
    url = reverse(
        "recruitment:portal_candidates",
        kwargs={"org": world.client.slug, "programme_pk": programme.pk},
    )
    first = client.get(url).content.decode()
    assert "Bewoner 3" in first  # still waiting
    assert first.count("Geselecteerd") >= 2 and 'href="?show=decided"' in first
    every = client.get(url + "?show=decided").content.decode()
    assert all(f"Bewoner {i}" in every for i in range(3)) and "Bewoner 3" not in every
    assert PER_PAGE >= 3
