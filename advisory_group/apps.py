from django.apps import AppConfig


class AdvisoryGroupConfig(AppConfig):
    name = "advisory_group"
    verbose_name = "Advisory Group"

    def ready(self):
        from advisory_group import case_roles, emails, receivers  # noqa: F401  (registers them)
        from advisory_group.services import advice, meetings  # noqa: F401  (their events)
