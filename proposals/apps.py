from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "Proposals"

    def ready(self):
        from proposals import emails, receivers  # noqa: F401  (registers and connects them)
        from proposals.queries.journey import watch_frameworks

        watch_frameworks()
