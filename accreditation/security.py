"""Who is signing in, and from where: the keys the lock-out counts against.

The sign-in looks an account up by its e-mail address ignoring case and
surrounding spaces, so the lock-out must count failures against the address
normalised the same way, or every change of case would get fresh tries.

Behind a TLS proxy every request comes from the proxy's address. The client's
address is read from ``X-Forwarded-For`` only when ``TRUSTED_PROXY_COUNT``
says how many proxies of ours append to it: the entry that many places from
the right is the one our nearest proxy saw. Entries further left were written
by the client and are never trusted.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def normalise_email(value):
    """An e-mail address as accounts are looked up by it."""
    return (value or "").strip().lower()


def lockout_username(request, credentials):
    """``AXES_USERNAME_CALLABLE``: the typed address, normalised."""
    if credentials:
        typed = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        typed = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_email(typed)


def client_address(request):
    """``AXES_CLIENT_IP_CALLABLE``: the client's address, trusting exactly
    ``TRUSTED_PROXY_COUNT`` proxies."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < count:
        # Fewer entries than proxies: the request did not come through them
        # all, so nothing in the header can be trusted.
        return remote
    return forwarded[-count]


def _address_key(request):
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()
    return f"sign-in-failures:address:{digest}"


def count_address_failure(sender, request=None, **kwargs):
    """``user_login_failed``: one more failed sign-in from the request's
    address, whichever account it tried, counted for the lock-out's
    cool-off time."""
    if request is None:
        return
    key = _address_key(request)
    timeout = int(settings.AXES_COOLOFF_TIME * 3600)
    try:
        cache.add(key, 0, timeout=timeout)
        try:
            failures = cache.incr(key)
        except ValueError:
            # The cool-off ended between add and incr: the first of a new one.
            cache.set(key, 1, timeout=timeout)
            failures = 1
        if failures >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            # Paused for the whole cool-off from now, not for what is left
            # of the time since the first failure.
            cache.touch(key, timeout)
    except Exception:
        logger.exception("A failed sign-in could not be counted against its address")


def address_locked_out(request):
    """Whether so many sign-ins have failed from the request's address,
    whatever the accounts, that it may not try again for now: one address
    trying a password on many accounts is stopped as one account tried many
    times is (``AXES_LOCKOUT_PARAMETERS``). The limit
    (``SIGN_IN_ADDRESS_FAILURE_LIMIT``) is far above one account's, as a
    school's staff share an address. While the cache cannot be reached,
    nobody is locked out by it."""
    try:
        failures = cache.get(_address_key(request), 0)
    except Exception:
        logger.exception("The failed sign-ins from an address could not be read")
        return False
    return failures >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
