"""The public register's search results, kept in the shared cache between
changes to what they show.

The register changes a few times a term (a decision, a revocation, a
provider's new name) and is searched all day by the public and local
authorities, mostly with the same few filters. So a search's results (the
filters as chosen, the count and the page of providers, "Last updated") are
rendered once and kept, under the register's *version*: a token that every
change to a published table replaces (``changed``, called by the receivers
in ``register/receivers.py`` and by the bulk writes that send no signal).
Results kept under an older token are never read again; they expire.

Why results are never staler than the database: a search reads the token
before it reads the database, and a change replaces the token after its
transaction commits (and once at the change, so the changing transaction's
own later reads do not use what was kept before it). Results read before a
commit are kept, at worst, under a token no one asks for any more.

One write is not seen: a data migration (it runs with the historical
models, which send no signal to these receivers, and before Redis need be
up). Results kept before it are shown for ``KEPT_SECONDS`` at most.

What is kept is bounded: at most ``MAX_KEPT`` results per token, each for
``KEPT_SECONDS``, so a stream of made-up searches cannot fill the cache
(which is also Celery's broker).
"""

import hashlib
import uuid
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString

VERSION_KEY = "register:version"
KEPT_SECONDS = 600
MAX_KEPT = 1000


class Results(NamedTuple):
    html: SafeString
    """rendered by the template engine, which escaped what it shows"""
    has_errors: bool
    """whether the search's filters were refused (the page's title says so)"""


def version():
    """The register's current token (a new one if the cache lost it)."""
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(VERSION_KEY)
    return token


def _replace():
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def changed():
    """What the public register shows changed (or is changing in the open
    transaction): results kept before are not shown again."""
    _replace()
    transaction.on_commit(_replace)


def results(params, render):
    """The ``Results`` of the search ``params`` (a ``QueryDict``): kept,
    or ``render()`` now and kept if fewer than ``MAX_KEPT`` are kept under
    this token."""
    token = version()
    query = hashlib.sha256(params.urlencode().encode()).hexdigest()
    key = f"register:results:{token}:{query}"
    found = cache.get(key)
    if found is None:
        found = render()
        counter = f"register:kept:{token}"
        cache.add(counter, 0, KEPT_SECONDS)
        try:
            room = cache.incr(counter) <= MAX_KEPT
        except ValueError:  # the counter expired between the two calls
            room = False
        if room:
            cache.set(key, found, KEPT_SECONDS)
    return found
