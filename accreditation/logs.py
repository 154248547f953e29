"""Filters for the service's logs (``LOGGING`` in settings)."""

import logging

from django.core.exceptions import DisallowedHost, PermissionDenied


class RefusalsWithoutTraceback(logging.Filter):
    """A request refused (403: someone asked for a page their role may not
    use; 400: a request for a host the service is not, which anyone can
    send) is logged as its one line, "Forbidden (Permission denied): /path",
    without the traceback Django attaches: a refusal is the check working,
    not a fault to debug, and its traceback buried the faults."""

    def filter(self, record):
        if record.exc_info and isinstance(record.exc_info[1], (PermissionDenied, DisallowedHost)):
            record.exc_info = None
            record.exc_text = None
        return True
