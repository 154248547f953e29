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

from django.conf import settings


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
