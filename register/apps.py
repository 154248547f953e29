from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "register"
    verbose_name = "The register of accredited providers"

    def ready(self):
        from register import emails, receivers  # noqa: F401  (registers and connects them)
