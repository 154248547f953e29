from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from assessments import case_roles, emails, receivers  # noqa: F401  (registers them)
        from assessments.services import requests  # noqa: F401  (its timeline event types)
