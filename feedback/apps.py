from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback and letters"

    def ready(self):
        from feedback import emails, receivers  # noqa: F401  (registers and connects them)
        from feedback.services import letters  # noqa: F401  (registers its event types)
