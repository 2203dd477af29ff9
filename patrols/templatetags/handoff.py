"""Template tags of the hand-off: a signal's hand-offs for the log on its page, so the page's
view does not need to know about hand-offs."""

from django import template

from ..selectors.handoff import signal_handoffs

register = template.Library()


@register.simple_tag
def handoffs_of(signal):
    """The signal's hand-offs with their attempts (two queries)."""
    return signal_handoffs(signal=signal)
