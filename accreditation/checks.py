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


NO_SCAN = "proposals.uploads.no_scan"


@register(Tags.security, deploy=True)
def upload_scanner(app_configs, **kwargs):
    if settings.EVIDENCE_SCANNER == NO_SCAN:
        return [
            Warning(
                "EVIDENCE_SCANNER is the no-op scanner: uploaded documents are not checked "
                "for viruses. Set EVIDENCE_SCANNER=proposals.clamav.scan and CLAMAV_ADDRESS.",
                id="accreditation.W002",
            )
        ]
    return []
