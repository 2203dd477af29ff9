"""Where everyone starts: the root and home redirects, the consultancy's workspace, the audit
log and the health check.

Each view declares who may open it through `PermissionMixin`/`LoginRequiredMixin`/`PublicMixin`;
the tenancy middleware has already checked organisation access for URLs with an `org` kwarg.
"""

from html import escape

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View
from django.views.generic import TemplateView

from .. import registry, selectors
from ..audit import audit_action_label
from ..dates import datetime_formatter
from ..mixins import LoginRequiredMixin, PermissionMixin, PublicMixin
from ..models import Phase
from ..pagination import paginate
from ..permissions import Perm, Role, has_perm
from ..selectors.guidance import closed_programme_ids
from .common import query_param
from .rows import cells_html, row_url


class HomeView(LoginRequiredMixin, View):
    """Sends each role to its own home."""

    redirects = True

    def get(self, request):
        user = request.user
        if user.is_consultancy_staff:
            return redirect("workspace")
        if user.role == Role.CLIENT_STAFF:
            return redirect("portal_home", org=user.organisation.slug)
        home = registry.team_home()
        if home is None:  # no app offers team members a home: their account page is theirs
            return redirect("account_email")
        return redirect(home.url_name, org=user.organisation.slug)


class WorkspaceView(PermissionMixin, TemplateView):
    """The consultancy's desk: every programme the user may see across clients, with phase,
    progress, overdue milestones and the next meeting; filter by client and phase, search.
    Each row is prepared here as what it shows, so the template only places it."""

    permission = Perm.WORKSPACE_VIEW
    template_name = "programmes/workspace.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        q = query_param(self.request, "q")
        client_slug = query_param(self.request, "client")
        phase = query_param(self.request, "phase")
        programmes = selectors.workspace_programmes_for(
            user=user, q=q, client_slug=client_slug, phase=phase
        )
        page = paginate(self.request, programmes)
        page.object_list = self.rows(page.object_list)
        return super().get_context_data(
            page=page,
            rows_html=self.rows_html(page.object_list),
            clients=selectors.organisation_choices_for(user=user, clients_only=True),
            phases=Phase.choices,
            q=q,
            selected_client=client_slug,
            selected_phase=phase,
            open_invitations=selectors.open_invitation_count(user=user)
            if has_perm(user, Perm.USER_MANAGE)
            else 0,
            **kwargs,
        )

    @staticmethod
    def rows(programmes) -> list[dict]:
        """Each programme row with its link, plan status (phase, progress, overdue) and next
        meeting, in words."""
        programmes = list(programmes)
        overview = selectors.programme_overview(programmes)
        closed = closed_programme_ids(programme_ids=[p["pk"] for p in programmes])
        detail_url = row_url("programme_detail", "org", "programme_pk")
        when = datetime_formatter("D j N H:i")
        phases = dict(Phase.choices)
        rows = []
        for p in programmes:
            status = overview[p["pk"]]
            meeting = status.next_meeting
            rows.append(
                {
                    "url": detail_url(p["organisation__slug"], p["pk"]),
                    "name": p["name"],
                    "place": f"{p['neighbourhood']}, {p['municipality']}",
                    "client": p["organisation__name"],
                    "phase": pgettext("programme", "Closed")
                    if p["pk"] in closed
                    else phases[status.phase],
                    # As text: an int in a template goes through number formatting.
                    "percent": str(status.percent),
                    "done_of_total": f"{status.done}/{status.total}",
                    "overdue": status.overdue,
                    "meeting_at": when(meeting.starts_at) if meeting else "",
                    "meeting": meeting.title if meeting else "",
                }
            )
        return rows

    @staticmethod
    def rows_html(rows) -> SafeString:
        """The table rows of `rows` as HTML, written here rather than as a template loop (at
        50 rows the template engine's cost per variable and tag was half the page): the
        markup the template had, every value escaped as autoescape does."""
        progress = escape(_("Progress"))
        muted = '<div class="small text-body-secondary">'
        out = []
        for p in rows:
            overdue = (
                f'<span class="badge text-bg-danger">{escape(localize(p["overdue"]))}</span>'
                if p["overdue"]
                else '<span class="text-body-secondary">0</span>'
            )
            meeting = (
                f"{escape(p['meeting_at'])}{muted}{escape(p['meeting'])}</div>"
                if p["meeting_at"]
                else "\u2013"
            )
            percent = escape(p["percent"])
            out.append(
                f'<tr><td><a href="{escape(p["url"])}">{escape(p["name"])}</a>'
                f"{muted}{escape(p['place'])}</div></td><td>{escape(p['client'])}</td>"
                f"<td>{escape(str(p['phase']))}</td>"
                '<td class="text-nowrap"><div class="d-flex align-items-center gap-2">'
                f'<progress class="progress-plan" max="100" value="{percent}" '
                f'aria-label="{progress}">{percent}%</progress>'
                f'<span class="small">{escape(p["done_of_total"])}</span></div></td>'
                f'<td>{overdue}</td><td class="d-none d-lg-table-cell">{meeting}</td></tr>'
            )
        return mark_safe("\n".join(out))  # noqa: S308 - every value is escaped above


class AuditLogView(PermissionMixin, TemplateView):
    """Who did what, newest first, filtered by organisation. Each row is prepared here as the
    text it shows (when, who, what), so the template only places it."""

    permission = Perm.AUDIT_VIEW
    template_name = "programmes/audit_log.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        organisations = selectors.organisation_choices_for(user=user)
        slug = query_param(self.request, "org")
        entries = selectors.audit_entries_for(user=user, organisation_slug=slug)
        page = paginate(self.request, entries)
        when = datetime_formatter("j N Y H:i")
        system = _("system")
        page.object_list = [
            {
                "when": when(e["created_at"]),
                "who": (e["actor__name"] or e["actor__email"])
                if e["actor_id"]
                else (e["actor_name"] or system),
                "what": audit_action_label(e["action"]),
                "object": e["object_repr"],
                "organisation": e["organisation__name"],
            }
            for e in selectors.audit_rows(page.object_list)
        ]
        rows_html = cells_html(
            page.object_list,
            (
                ("when", 'class="text-nowrap"'),
                ("who", ""),
                ("what", ""),
                ("object", ""),
                ("organisation", ""),
            ),
        )
        return super().get_context_data(
            page=page, rows_html=rows_html, organisations=organisations, selected_org=slug, **kwargs
        )


class HealthView(PublicMixin, View):
    """Liveness for the load balancer and compose health check: the database answers."""

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})


class RootView(PublicMixin, View):
    redirects = True

    def get(self, request):
        return redirect("home" if request.user.is_authenticated else "account_login")
