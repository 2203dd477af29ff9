"""A document kind may name each of its documents (`DocumentKind.describe`): that name is the
document's `label` and the start of its download name; a kind without it, or a `describe` that
has nothing to say, keeps the kind's label as before."""

import datetime as dt

import pytest
from django.utils import translation

from programmes import registry, services
from programmes.models import Document
from programmes.permissions import Role


@pytest.fixture
def programme(world, unscoped):
    leader = world.users[Role.PROJECT_LEADER]
    return services.programme_create(
        actor=leader,
        client=world.client,
        project_leaders=[leader],
        name="Team Noord",
        neighbourhood="Tarwewijk",
        municipality="Noordstad",
        start_date=dt.date(2026, 1, 5),
    )


@pytest.fixture
def described_kind():
    kind = registry.register_document_kind(
        registry.DocumentKind(
            code="test_described",
            label="Testrapport",
            builder=lambda document: None,
            needs_ref=True,
            describe=lambda document: f"Testrapport week {document.ref}" if document.ref else "",
        )
    )
    yield kind
    registry.unregister_document_kind(kind.code)


def _document(programme, kind, ref=""):
    return Document(organisation=programme.organisation, programme=programme, kind=kind, ref=ref)


def test_a_kind_that_describes_names_each_document_and_its_download(
    programme, described_kind, django_assert_num_queries
):
    document = _document(programme, "test_described", ref="42")
    with django_assert_num_queries(0):
        assert document.label == "Testrapport week 42"
        assert document.download_name == "testrapport-week-42-tarwewijk.pdf"
    # The kind's own label stays what the kind is (filters, lists of kinds).
    assert document.kind_label == "Testrapport"


def test_nothing_to_say_falls_back_to_the_kinds_label(programme, described_kind):
    document = _document(programme, "test_described")
    assert document.label == "Testrapport"
    assert document.download_name == "testrapport-tarwewijk.pdf"


def test_a_kind_without_describe_and_an_unknown_kind_are_unchanged(programme):
    with translation.override("nl"):
        plan = _document(programme, "plan")
        assert plan.label == plan.kind_label == "Plan van aanpak"
        assert plan.download_name == "plan-van-aanpak-tarwewijk.pdf"
        gone = _document(programme, "gone_kind")
        assert gone.label == "Document"
        assert gone.download_name == "document-tarwewijk.pdf"
