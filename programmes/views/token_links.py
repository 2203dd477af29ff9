"""Personal links whose secret leaves the address bar at once.

An invitation or meeting-reply link carries its token in the path. Opened, the page keeps the
token in the visitor's session and sends them on to the same page without it, the way allauth
handles password-reset keys: the token then appears in no further request line, access log,
browser history or Referer header, and a screenshot or shared address of the page reveals
nothing. Only a valid token is stored; an unknown, used or expired one gets its page at once.
A form left open on the old address still posts there and works.
"""

from django.shortcuts import redirect


class TokenLinkMixin:
    """For a view with `get`/`post(request, org, token)`: defines `link_kind`, the name of
    the token-free URL (`clean_url_name`, kwargs `org`), `token_is_valid(token)` and
    `no_token(request)`: the page for the token-free address when the session holds none."""

    link_kind: str
    clean_url_name: str

    def session_key(self, org: str) -> str:
        return f"link_token:{self.link_kind}:{org}"

    def token_is_valid(self, token: str) -> bool:
        raise NotImplementedError

    def no_token(self, request):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        org = kwargs["org"]
        token = kwargs.pop("token", None)
        if token is not None:
            if request.method == "GET" and self.token_is_valid(token):
                request.session[self.session_key(org)] = token
                response = redirect(self.clean_url_name, org=org)
                response["Cache-Control"] = "no-store"
                return response
        else:
            token = request.session.get(self.session_key(org))
            if not token:
                return self.no_token(request)
        return super().dispatch(request, *args, token=token, **kwargs)

    def forget_token(self, request, org: str) -> None:
        request.session.pop(self.session_key(org), None)
