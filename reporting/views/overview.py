"""The consultancy's overview across clients: programmes by phase and the health flags that ask
for action, each in words with its figure, filtered by flag, client and phase, a page at a
time; each programme leads to its own page in the workspace."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from programmes import selectors as base
from programmes.mixins import PermissionMixin
from programmes.models import Phase
from programmes.pagination import paginate
from programmes.permissions import Perm
from programmes.views.common import query_param
from programmes.views.rows import row_url

from ..selectors import overview as selectors

PHASES = list(Phase.values)


def flag_words(row: dict, now) -> list[tuple[str, str]]:
    """The flags up on one row, each as (code, what it says with its figure), in the order of
    `selectors.FLAGS`."""
    words = {
        selectors.SIGNALS_OVERDUE: lambda: (
            ngettext(
                "%(n)s signal overdue at the client",
                "%(n)s signals overdue at the client",
                row["signals_overdue"],
            )
            % {"n": row["signals_overdue"]}
        ),
        selectors.NO_ROUNDS: lambda: _no_round_words(row["last_round_at"], now),
        selectors.FEW_ACTIVE: lambda: (
            ngettext(
                "%(n)s member walked a round in the last %(days)s days",
                "%(n)s members walked a round in the last %(days)s days",
                row["active_members"],
            )
            % {"n": row["active_members"], "days": selectors.ACTIVE_DAYS}
        ),
        selectors.MILESTONES_OVERDUE: lambda: (
            ngettext("%(n)s milestone overdue", "%(n)s milestones overdue", row["plan_overdue"])
            % {"n": row["plan_overdue"]}
        ),
        selectors.CANDIDATES_WAITING: lambda: (
            ngettext(
                "%(n)s candidate waits over %(days)s days for the client's decision",
                "%(n)s candidates wait over %(days)s days for the client's decision",
                row["candidates_waiting"],
            )
            % {"n": row["candidates_waiting"], "days": selectors.CANDIDATE_WAIT_DAYS}
        ),
    }
    return [(code, words[code]()) for code in selectors.FLAG_CODES if row[f"up_{code}"]]


def _no_round_words(last_round_at, now) -> str:
    if last_round_at is None:
        return _("No round walked yet")
    days = (now - last_round_at).days
    return ngettext("No round walked in %(n)s day", "No round walked in %(n)s days", days) % {
        "n": days
    }


class OverviewView(PermissionMixin, TemplateView):
    """Programmes by phase (a summary row and the list) with their health flags; a value of a
    filter that is not one of its choices is named in a message and ignored."""

    permission = Perm.WORKSPACE_VIEW
    template_name = "reporting/overview.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        now = timezone.now()
        clients = list(base.clients_for(user=user).order_by("name").values("slug", "name"))
        problems = []
        client_slug = query_param(self.request, "client")
        if client_slug and client_slug not in {c["slug"] for c in clients}:
            problems.append(_("That client is not one of yours: all clients are shown."))
            client_slug = ""
        phase = query_param(self.request, "phase")
        if phase and phase not in PHASES:
            problems.append(_("There is no such phase: all phases are shown."))
            phase = ""
        flag = query_param(self.request, "flag")
        if flag and flag not in selectors.FLAG_CODES:
            problems.append(_("There is no such flag: all programmes are shown."))
            flag = ""
        rows, summary = selectors.overview_for(
            user=user, client_slug=client_slug, phase=phase, flag=flag, now=now
        )
        page = paginate(self.request, rows)
        page.object_list = self.rows(page.object_list, now)
        return super().get_context_data(
            page=page,
            problems=problems,
            clients=clients,
            phases=[(value, label, summary["phases"][value]) for value, label in Phase.choices],
            flags=[(f.code, f.label, summary["flags"][f.code]) for f in selectors.FLAGS],
            total=summary["total"],
            selected_client=client_slug,
            selected_phase=phase,
            selected_flag=flag,
            thresholds={
                "no_round_days": selectors.NO_ROUND_DAYS,
                "active_days": selectors.ACTIVE_DAYS,
                "min_active": selectors.MIN_ACTIVE_MEMBERS,
                "wait_days": selectors.CANDIDATE_WAIT_DAYS,
            },
            **kwargs,
        )

    @staticmethod
    def rows(programmes, now) -> list[dict]:
        """Each programme of the page with its link, phase and flags in words."""
        detail_url = row_url("programme_detail", "org", "programme_pk")
        return [
            {
                "url": detail_url(p["organisation__slug"], p["pk"]),
                "name": p["name"],
                "place": f"{p['neighbourhood']}, {p['municipality']}",
                "client": p["organisation__name"],
                "phase": Phase.choices[p["plan_phase_rank"]][1],
                "flags": flag_words(p, now),
            }
            for p in programmes
        ]
