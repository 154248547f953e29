"""Django's password checks, with messages that say how to choose a better
password (``AUTH_PASSWORD_VALIDATORS``)."""

from django.contrib.auth import password_validation as django


class MinimumLengthValidator(django.MinimumLengthValidator):
    def get_error_message(self):
        return f"Your password must be {self.min_length} characters or more"


class UserAttributeSimilarityValidator(django.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "Choose a password that is not like your name or email address"


class CommonPasswordValidator(django.CommonPasswordValidator):
    def get_error_message(self):
        return "Choose a password that is harder to guess: this one is commonly used"


class NumericPasswordValidator(django.NumericPasswordValidator):
    def get_error_message(self):
        return "Your password must include letters or symbols, not only numbers"
