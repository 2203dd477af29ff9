"""A read logged for a `ReadSubject` (a row read as values) is the row logged for the model
instance it names: same organisation, type, id and e-mail address; duplicates collapse."""

import pytest
from django_scopes import scopes_disabled

from programmes.models import ReadEntry
from programmes.permissions import Role
from programmes.services.reads import ReadSubject, record_read

pytestmark = pytest.mark.django_db

COLUMNS = ("organisation_id", "reader_id", "reader_name", "reader_role", "what", "subject_type")
COLUMNS += ("subject_id", "subject_email", "where", "at")


def test_a_subject_by_its_values_is_logged_as_its_record(world, rf):
    admin = world.users[Role.CONSULTANCY_ADMIN]
    member = world.users[Role.TEAM_MEMBER]
    member.email = "  Lid@Example.ORG "
    request = rf.get("/workspace/users/?page=2")
    with scopes_disabled():
        assert record_read(user=admin, subjects=[member, member], what="member", request=request)
        by_record = list(ReadEntry.objects.values_list(*COLUMNS))
        ReadEntry.objects.all().delete()
        subject = ReadSubject("programmes.user", member.pk, member.organisation_id, member.email)
        n = record_read(
            user=admin,
            subjects=[subject, subject],
            what="member",
            request=request,
            now=by_record[0][-1],
        )
        assert n == 1
        assert list(ReadEntry.objects.values_list(*COLUMNS)) == by_record
    assert by_record[0][7] == "lid@example.org" and by_record[0][8] == "/workspace/users/"
