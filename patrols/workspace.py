"""The project leader's patrol pages of a programme: schedule rounds, categories, effort; and
the effort overview the client sees in the portal."""

import datetime as dt
from html import escape

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.backends.utils import csrf_input
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from programmes.dates import datetime_formatter
from programmes.input import validate_date_range
from programmes.mixins import ByAction, ProgrammeMixin
from programmes.permissions import Perm
from programmes.selectors import get_user_for
from programmes.selectors.sharing import name_for
from programmes.views.common import form_errors_to, posted_id

from . import rows, selectors, services
from .forms import CategoryForm, EffortRuleForm, RoundSlotForm
from .models import Round


def _fewer_than(labels: dict, n: int) -> str:
    """The "too few walkers" badge for a minimum of `n`, translated once per value."""
    if n not in labels:
        labels[n] = ngettext("Fewer than %(n)s walker", "Fewer than %(n)s walkers", n) % {"n": n}
    return labels[n]


def _round_rows(rounds: list, labels: dict) -> list:
    """The page's rounds with their row texts set (`when`, `took`, `few`: the badge, empty
    when enough walked), worked out here once per row rather than by filters and translation
    tags in the table."""
    under_way = _("under way")
    took = _("%(n)s min")
    when = datetime_formatter("D j N H:i")
    for round_ in rounds:
        round_.when = when(round_.started_at)
        round_.took = took % {"n": round_.minutes} if round_.ended_at else under_way
        round_.few = (
            _fewer_than(labels, round_.min_walkers) if round_.n_walkers < round_.min_walkers else ""
        )
    return rounds


def round_rows_html(rounds) -> SafeString:
    """The walked rounds' table rows as HTML, written here rather than as a template loop
    (the template engine's cost per variable and tag): the markup the template had, values
    escaped and numbers localized as the template does."""
    out = []
    nothing = escape(Round.Outcome.NOTHING.label)
    number = rows.number_text()
    for r in rounds:
        # What the walkers said when they ended it: nothing to report, and their remark.
        said = ""
        if r.outcome == Round.Outcome.NOTHING:
            said = (
                f' <span class="badge text-bg-light border" data-nothing-to-report>{nothing}</span>'
            )
        if r.remark:
            said += f'<br><span class="small text-body-secondary">{escape(r.remark)}</span>'
        few = (
            f' <span class="badge text-bg-warning" data-too-few-walkers>{escape(r.few)}</span>'
            if r.few
            else ""
        )
        out.append(
            f"<tr{' class="table-warning"' if r.few else ''}><td>{escape(r.when)}</td>"
            f"<td>{escape(str(r.took))}</td><td>{number(r.n_walkers)}{few}</td>"
            f"<td>{number(r.n_signals)}{said}</td></tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


class RoundsView(ProgrammeMixin, TemplateView):
    """Schedule rounds (once or weekly) and see what the team walked and reported."""

    template_name = "patrols/workspace_rounds.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        page = selectors.rounds_walked_page(request=self.request, programme=programme)
        labels: dict[int, str] = {}
        rounds = _round_rows(page.object_list, labels)
        slots = selectors.planned_slots(programme=programme)
        form = form or RoundSlotForm()
        return super().get_context_data(
            form=form,
            # The planning form's fields, the planned rounds, the conversations and the
            # signals per status are written out by patrols.rows (plain markup).
            form_html=rows.round_slot_form_html(form),
            slots=slots,
            slots_html=rows.slot_rows_html(slots, lambda n: _fewer_than(labels, n)),
            page=page,
            rounds=rounds,
            rounds_html=round_rows_html(rounds),
            conversations_html=rows.conversation_rows_html(
                selectors.recent_conversations(programme=programme)
            ),
            signal_counts_html=rows.status_counts_html(
                selectors.signal_counts_by_status(programme=programme)
            ),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = RoundSlotForm(request.POST)
        if form.is_valid():
            try:
                slots = services.round_slot_create(
                    actor=request.user, programme=self.get_programme(), **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(
                    request,
                    ngettext("%(n)s round planned.", "%(n)s rounds planned.", len(slots))
                    % {"n": len(slots)},
                )
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


class CategoriesView(ProgrammeMixin, TemplateView):
    template_name = "patrols/workspace_categories.html"
    method_permissions = {"POST": Perm.PROGRAMME_MANAGE}

    def get_context_data(self, form=None, **kwargs):
        programme = self.get_programme()
        services.categories_ensure(programme=programme)
        return super().get_context_data(
            categories=selectors.categories_of(programme=programme),
            parents=selectors.parent_categories(programme=programme),
            form=form or CategoryForm(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        toggle = request.POST.get("toggle")
        if toggle:
            category = selectors.find_category(programme=programme, pk=posted_id(request, "toggle"))
            if category is not None:
                services.category_save(
                    actor=request.user,
                    programme=programme,
                    category=category,
                    is_active=not category.is_active,
                )
            return redirect(request.path)
        form = CategoryForm(request.POST)
        parent = selectors.find_category(
            programme=programme, pk=posted_id(request, "parent"), parent=True
        )
        if form.is_valid():
            try:
                services.category_save(
                    actor=request.user, programme=programme, parent=parent, **form.cleaned_data
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("The category was added."))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


def _month(value: str) -> tuple[int, int]:
    """A "YYYY-MM" value as (year, month); this month when it is not one or lies outside the
    product's range of years (the page links to the month before and after)."""
    try:
        year, month = (int(part) for part in value.split("-"))
        validate_date_range(dt.date(year, month, 1))
    except (ValueError, ValidationError):
        today = timezone.localdate()
        return today.year, today.month
    return year, month


class EffortView(ProgrammeMixin, TemplateView):
    """Who met the effort obligation in a month, and whether their reward was handed out.
    The project leader also sets the obligation here."""

    template_name = "patrols/effort.html"
    # Handing out a reward (a post naming `reward_user`) is the reward permission; the other
    # post of the page, the effort obligation, is managing the programme.
    method_permissions = {
        "POST": ByAction({"reward_user": Perm.REWARD_MANAGE}, default=Perm.PROGRAMME_MANAGE)
    }

    def get_context_data(self, rule_form=None, **kwargs):
        programme = self.get_programme()
        year, month = _month(self.request.GET.get("month", ""))
        rule = selectors.effort_rule_of(programme=programme)
        if rule_form is None and self.can_edit_rule():
            rule_form = EffortRuleForm(instance=rule)
        first = dt.date(year, month, 1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        # A row shows the member's name (to the client's staff the first name, unless the
        # member shares their contact details): the roster's rows carry nothing else.
        page = selectors.effort_roster_page(request=self.request, programme=programme)
        shared = frozenset(m.user_id for m in page.object_list if m.contact_shared_at)
        efforts = services.effort_for_month(
            programme=programme,
            year=year,
            month=month,
            members=page.object_list,
            rules={programme.pk: rule},
        )
        handed = selectors.rewards_handed(programme=programme, month=first)
        for effort in efforts:
            effort.handed = effort.user.pk in handed
        can_reward = self.may("POST", action="reward_user")
        return super().get_context_data(
            month=first,
            previous=previous,
            following=following if following <= timezone.localdate() else None,
            page=page,
            efforts=efforts,
            rule=rule,
            rule_form=rule_form,
            # The obligation form's fields and the signals per category are written out by
            # patrols.rows (plain markup).
            rule_form_html=rows.effort_rule_form_html(rule_form) if rule_form else "",
            can_reward=can_reward,
            efforts_html=effort_rows_html(
                efforts,
                rule=rule,
                can_reward=can_reward,
                month=first,
                page_number=page.number,
                request=self.request,
                shared=shared,
            ),
            by_category_html=rows.category_rows_html(
                selectors.signals_by_category(programme=programme, year=year, month=month)
            ),
            base_template=self.base_template,
            **kwargs,
        )

    base_template = "base.html"

    def can_edit_rule(self) -> bool:
        return self.may("POST")

    def post(self, request, *args, **kwargs):
        programme = self.get_programme()
        if "reward_user" in request.POST:
            year, month = _month(request.POST.get("month", ""))
            user = get_user_for(user=request.user, pk=posted_id(request, "reward_user"))
            try:
                services.reward_hand_out(
                    actor=request.user,
                    programme=programme,
                    user=user,
                    year=year,
                    month=month,
                    handed_out=request.POST.get("handed_out") == "1",
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            page = posted_id(request, "page") or 1  # back to the page the row was on
            return redirect(f"{request.path}?month={year}-{month:02d}&page={page}")
        form = EffortRuleForm(request.POST)
        if form.is_valid():
            services.effort_rule_save(actor=request.user, programme=programme, **form.cleaned_data)
            messages.success(request, _("The effort obligation was saved."))
            return redirect(request.path)
        return self.render_to_response(self.get_context_data(rule_form=form))


def effort_rows_html(
    efforts, *, rule, can_reward, month, page_number, request, shared=frozenset()
) -> SafeString:
    """The effort table's rows as HTML, written here rather than as a template loop (a form
    per row; the template engine's cost per variable and tag was a large part of the page):
    the markup the template had, values escaped and numbers localized as the template does."""
    yes = f'<span class="badge text-bg-success">{escape(_("yes"))}</span>'
    not_yet = escape(_("not yet"))
    not_yet_badge = f'<span class="badge text-bg-light border">{not_yet}</span>'
    handed_out = escape(_("Handed out"))
    form_head = form_tail = ""
    if rule and can_reward:
        form_head = (
            f'<form method="post">{csrf_input(request)}'
            '<input type="hidden" name="reward_user" value="'
        )
        form_tail = (
            f'"><input type="hidden" name="month" value="{escape(date_format(month, "Y-m"))}">'
            '<input type="hidden" name="page" '
            f'value="{escape(localize(page_number))}">\n            '
        )
    handed = (
        '<input type="hidden" name="handed_out" value="0"><button class="btn btn-sm '
        f'btn-success" type="submit" aria-pressed="true">{handed_out}</button>\n            '
    )
    not_handed = (
        '<input type="hidden" name="handed_out" value="1"><button class="btn btn-sm '
        f'btn-outline-success" type="submit">{escape(_("Mark handed out"))}</button>'
    )
    out = []
    number = rows.number_text()
    for e in efforts:
        row = (
            f"<td>{escape(name_for(person=e.user, viewer=request.user, shared=shared))}</td>"
            f"<td>{number(e.rounds)}</td>"
            f"<td>{number(e.hours)}</td>"
            f"<td>{number(e.activity_hours_shown)}</td>"
            f"<td>{number(e.team_meetings)}</td>"
            f"<td>{number(e.counted_hours_shown)}</td>"
        )
        if rule:
            if e.met and can_reward:
                reward = (
                    f"{form_head}{number(e.user.pk)}{form_tail}"
                    f"{handed if e.handed else not_handed}</form>\n            "
                )
            elif e.handed:
                reward = handed_out
            else:
                reward = f'<span class="small text-body-secondary">{not_yet}</span>'
            met = yes if e.met else not_yet_badge
            row += f"\n          <td>{met}</td>\n          <td>{reward}</td>"
        out.append(f"<tr>\n          {row}\n        </tr>")
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


class PortalEffortView(EffortView):
    permission = Perm.PORTAL_VIEW
