"""E-mail sent because someone asked (a password reset, an invitation) is
throttled per address and per account, so the service cannot be used to
flood a mailbox. Counts live in Django's cache (Redis in production, shared
by every web process) for ``EMAIL_THROTTLE_WINDOW_SECONDS``.

A throttled request is answered with the same page as one that sent its
e-mail: the page never says whether anything was sent.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


class Throttled(Exception):
    """Too many e-mails of this kind for this address or account."""


def _count(action, kind, value):
    digest = hashlib.sha256(str(value).strip().lower().encode()).hexdigest()
    key = f"throttle:{action}:{kind}:{digest}"
    window = settings.EMAIL_THROTTLE_WINDOW_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:
        # The window ended between add and incr: this is the first of a new one.
        cache.set(key, 1, timeout=window)
        return 1


def check(action, **keys):
    """Count one more e-mail of ``action`` (a key of ``EMAIL_THROTTLES``)
    against each of ``keys`` (``address=...``, ``account=...``); raise
    ``Throttled`` if any is past its limit."""
    limits = settings.EMAIL_THROTTLES[action]
    over = [kind for kind, value in keys.items() if _count(action, kind, value) > limits[kind]]
    if over:
        raise Throttled(f"{action}: too many for {', '.join(over)}")
