"""Deployment checks of the service's own settings (``check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def staff_second_factor(app_configs, **kwargs):
    if not settings.STAFF_OTP_REQUIRED:
        return [
            Warning(
                "STAFF_OTP_REQUIRED is off: staff can reach the staff area without a "
                "second factor. Switch it off only for the local demo.",
                id="accreditation.W001",
            )
        ]
    return []
