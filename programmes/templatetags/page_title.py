"""The browser tab's title: the page's own title, a separator and the product's name."""

from django import template

register = template.Library()

PRODUCT = "BewonersTeam"


@register.filter(is_safe=True)
def tab_title(value) -> str:
    """'Plan of approach · Team Noord' becomes 'Plan of approach · Team Noord · BewonersTeam';
    a page without a title of its own shows the product's name alone. The rendered block is
    already escaped, so the result stays safe."""
    text = " ".join(str(value).split())
    return f"{text} · {PRODUCT}" if text else PRODUCT
