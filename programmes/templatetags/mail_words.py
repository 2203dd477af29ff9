"""`{{ message.last_error|mail_error }}`: why a mail was not sent, in words."""

from django import template

from ..mail_errors import mail_error_text

register = template.Library()


@register.filter
def mail_error(value) -> str:
    return mail_error_text(str(value or ""))
