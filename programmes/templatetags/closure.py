"""`{{ programme|programme_closed }}`: whether a programme was closed, so any page of it (an
app's too) can mark it "Closed" without its view knowing (one query per programme object)."""

from django import template

from ..closure import is_closed

register = template.Library()


@register.filter
def programme_closed(programme) -> bool:
    return is_closed(programme)
