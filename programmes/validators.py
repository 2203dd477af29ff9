"""Password validation with messages in the user's language.

Django 6.1 reworded the minimum-length message and its Dutch catalogue has not caught up; this
validator uses the wording the catalogue translates, so Dutch users get a Dutch message.
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
