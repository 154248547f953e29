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

Two writes are not seen, and results kept before them are shown for
``KEPT_SECONDS`` at most: a data migration (it runs with the historical
models, which send no signal to these receivers, and before Redis need be
up); and a change made while the cache could not be reached (the change is
kept and the error logged: the register is not worth refusing a decision
for). A search made while the cache cannot be reached is read from the
database.

What is kept is bounded: at most ``MAX_KEPT`` new results in each period of
``KEPT_SECONDS``, each kept for that long (so at most twice as many at
once, whatever the tokens), so a stream of made-up searches cannot fill the
cache (which is also Celery's broker).
"""

import hashlib
import logging
import time
import uuid
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import SafeString

logger = logging.getLogger(__name__)

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
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("The register's search results kept could not be marked out of date")


def changed():
    """What the public register shows changed (or is changing in the open
    transaction): results kept before are not shown again."""
    _replace()
    transaction.on_commit(_replace, robust=True)


def _room():
    """Whether another result may be kept in this period."""
    counter = f"register:kept:{int(time.time()) // KEPT_SECONDS}"
    cache.add(counter, 0, KEPT_SECONDS * 2)
    try:
        return cache.incr(counter) <= MAX_KEPT
    except ValueError:  # the counter expired between the two calls
        return False


def results(params, render):
    """The ``Results`` of the search ``params`` (a ``QueryDict``): kept,
    or ``render()`` now and kept if there is room."""
    try:
        token = version()
        query = hashlib.sha256(params.urlencode().encode()).hexdigest()
        key = f"register:results:{token}:{query}"
        found = cache.get(key)
    except Exception:
        logger.exception("The register's search results kept could not be read")
        return render()
    if found is None:
        found = render()
        try:
            if _room():
                cache.set(key, found, KEPT_SECONDS)
        except Exception:
            logger.exception("The register's search results could not be kept")
    return found
