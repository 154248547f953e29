"""The public register's search results, kept in the shared cache between
changes to what they show.

The register changes a few times a term (a decision, a revocation, a
provider's new name) and is searched all day by the public and local
authorities, mostly with the same few filters. So a search's results (the
filters as chosen, the count and the page of providers, "Last updated") are
rendered once and kept, under the register's *version*: a token that every
change to a published table replaces (``changed``, called by the receivers
in ``register/receivers.py`` and by the bulk writes that send no signal).

What is kept is never staler than the last committed change, and which
writes it does not see: ``accreditation/kept.py``. Results kept before a
change that is not seen are shown for ``KEPT_SECONDS`` at most.

What is kept is bounded: at most ``MAX_KEPT`` new results in each period of
``KEPT_SECONDS``, each kept for that long (so at most twice as many at
once, whatever the tokens), so a stream of made-up searches cannot fill the
cache (which is also Celery's broker).
"""

import hashlib
import time
from typing import NamedTuple

from django.core.cache import cache
from django.utils.safestring import SafeString

from accreditation.kept import Version

VERSION = Version("register")
KEPT_SECONDS = 600
MAX_KEPT = 1000


class Results(NamedTuple):
    html: SafeString
    """rendered by the template engine, which escaped what it shows"""
    has_errors: bool
    """whether the search's filters were refused (the page's title says so)"""


def changed():
    """What the public register shows changed (or is changing in the open
    transaction): results kept before are not shown again."""
    VERSION.changed()


def _room():
    """Whether another result may be kept in this period: one call to the
    cache to count it, two for the period's first."""
    counter = f"register:kept:{int(time.time()) // KEPT_SECONDS}"
    try:
        return cache.incr(counter) <= MAX_KEPT
    except ValueError:  # the period's first (or its counter expired)
        if cache.add(counter, 1, KEPT_SECONDS * 2):
            return True
    try:
        return cache.incr(counter) <= MAX_KEPT
    except ValueError:  # expired again between the two calls
        return False


def results(params, render):
    """The ``Results`` of the search ``params`` (a ``QueryDict``): kept,
    or ``render()`` now and kept if there is room."""
    query = hashlib.sha256(params.urlencode().encode()).hexdigest()
    return VERSION.kept(f"results:{query}", render, KEPT_SECONDS, room=_room)
