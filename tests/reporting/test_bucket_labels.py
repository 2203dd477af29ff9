"""The charts' bucket labels read unambiguously in Dutch: a month with an apostrophe before its
two-digit year ("nov ’26", not "nov 26", which reads as 26 November), a week by its ISO number."""

import datetime as dt

from django.utils import translation

from reporting.selectors.figures import buckets_of


def test_month_and_week_labels_in_dutch():
    with translation.override("nl"):
        months = buckets_of(dt.date(2026, 11, 1), dt.date(2027, 1, 1), "month")
        weeks = buckets_of(dt.date(2026, 12, 28), dt.date(2027, 1, 11), "week")
    assert [b.label for b in months] == ["nov \u201926", "dec \u201926"]
    assert [b.label for b in weeks] == ["wk 53", "wk 1"]
