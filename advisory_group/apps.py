from django.apps import AppConfig


class AdvisoryGroupConfig(AppConfig):
    name = "advisory_group"
    verbose_name = "Advisory Group"

    def ready(self):
        from advisory_group import case_roles  # noqa: F401  (registers its provider)
