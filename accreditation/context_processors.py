from django.conf import settings

from accreditation import navigation, policy
from accreditation.middleware import session_seconds_left


def service(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "department_name": settings.DEPARTMENT_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "service_phase": settings.SERVICE_PHASE,
        # Called by the template, so worked out only for the signed in.
        "session_seconds_left": lambda: session_seconds_left(request.session),
        "session_timeout_minutes": settings.SESSION_COOKIE_AGE // 60,
        "session_warning_seconds": settings.SESSION_TIMEOUT_WARNING_SECONDS,
        "policy": policy.current(),
        # Called by the template, so worked out only on pages that show it.
        "service_navigation": lambda: navigation.items(request),
    }
