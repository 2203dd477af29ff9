"""The one way list pages cut their rows into pages, shared by every app.

`paginate` answers a page for any `?page=` value (missing, not a number, past the end: the
nearest page, never a 500). Templates show the links with `templates/includes/pagination.html`,
which builds each link with Django's `{% querystring %}`, so the page's filters and sorting stay
in the query string and every row stays reachable.
"""

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def paginate(request, object_list, *, per_page: int = PER_PAGE, param: str = "page") -> Page:
    """The page of `object_list` the request asks for (`?page=`, or `param` for a second list
    on the same page), `per_page` rows each; an ordered queryset costs one COUNT and one
    sliced query."""
    return Paginator(object_list, per_page).get_page(request.GET.get(param))
