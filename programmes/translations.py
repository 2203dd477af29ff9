"""Strings of Django itself that its Dutch catalogue does not translate yet (Django 6.1).

Listing them here puts them in our catalogue, which takes precedence over Django's, so the
interface stays Dutch. Remove an entry once Django's own catalogue has it.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),  # django.db.models.fields.BLANK_CHOICE_LABEL
]
