"""The team member's activities in the phone app: log one (informing neighbours, an
initiative, a meeting with a partner) with its hours, see the list and this month's effort
with those hours."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from programmes.mixins import PermissionMixin
from programmes.pagination import paginate
from programmes.permissions import Perm
from programmes.views.common import form_errors_to

from . import services
from .forms import ActivityForm
from .selectors.activities import own_activities
from .selectors.effort import shown_number
from .views import _MembershipMixin


class ActivitiesView(_MembershipMixin, PermissionMixin, TemplateView):
    """Log an activity and see one's own, newest first, with the effort of this month."""

    permission = Perm.OWN_RECORDS_VIEW  # team members alone (the role table)
    method_permissions = {"POST": Perm.OWN_RECORDS_VIEW}
    template_name = "patrols/activities.html"
    paginate_by = 20

    def _programme(self):
        if self.member is None:
            raise PermissionDenied  # only members of a team log activities
        return self.member.programme

    def get_context_data(self, form=None, **kwargs):
        programme = self._programme()
        user = self.request.user
        today = timezone.localdate()
        page = paginate(
            self.request, own_activities(user=user, programme=programme), per_page=self.paginate_by
        )
        page.object_list = list(page.object_list)
        for activity in page.object_list:
            activity.hours_shown = shown_number(activity.hours)
        return super().get_context_data(
            client=self.request.organisation,
            programme=programme,
            form=form or ActivityForm(initial={"date": today}),
            page=page,
            effort=services.effort_of(
                programme=programme, user=user, year=today.year, month=today.month
            ),
            rule=getattr(programme, "effort_rule", None),
            **kwargs,
        )

    def post(self, request, org):
        programme = self._programme()
        form = ActivityForm(request.POST)
        if form.is_valid():
            try:
                services.activity_log(actor=request.user, programme=programme, **form.cleaned_data)
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(request, _("Your activity was saved. Thank you!"))
                return redirect("patrols:team_activities", org=org)
        return self.render_to_response(self.get_context_data(form=form))
