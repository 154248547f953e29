"""What is worked out from tables that rarely change, kept in the shared
cache until they do: the public register's search results
(``register/queries/kept.py``), the filters' options
(``accreditation/queries/options.py``), each staff member's organisations
in conflict (``accreditation/queries/conflicts.py``), a framework's
criteria (``proposals/queries/journey.py``) and the staff homes' counts
(``accreditation/homes.py``).

Each such thing has a ``Version``: a token that every change to its tables
replaces (``changed``, called by the receivers ``watch`` connects, and by
the bulk writes that send no signal; every version is replaced after
``migrate``). The staff homes' counts read most tables: their version is
replaced by any write at all, seen by the database connection itself
(``watch_writes``), and a transaction that has written works them out
afresh and keeps nothing (what it read may yet be rolled back).

What is kept is kept with the token it was worked out under, and read only
while that token is current.

Why nothing kept is staler than the database once a change has committed: a
reader reads the token before it reads the database, and a change replaces
the token after its transaction commits. It is replaced once at the change
too, so the changing transaction's own later reads do not use what was kept
before it; what another request works out while that transaction is open
(from the database as it was) may be kept under that token and read by the
changing transaction, never by anyone after the commit. Nothing a service
decides reads what is kept where it matters (a person's conflicts are read
from the database by a request that changes something).

A data migration's changes (its historical models send no signal) are seen
once ``migrate`` ends. One write is not seen, and what was kept before it
is shown until it expires: a change made while the cache could not be
reached (the change is kept and the error logged: it is not worth refusing
the change for). While the cache cannot be reached, everything is read from
the database.
"""

import logging
import re
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

VERSIONS = []
"""Every ``Version`` made: ``all_changed`` replaces each."""


class Version:
    """The token of what is kept of some tables, named ``name``."""

    def __init__(self, name):
        self.name = name
        self.key = f"{name}:version"
        self.writes_watched = False
        """Whether every write replaces the token (``watch_writes``): then a
        transaction that has written neither reads nor keeps what is kept."""
        VERSIONS.append(self)

    def current(self):
        """The current token (a new one if the cache lost it)."""
        token = cache.get(self.key)
        if token is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            token = cache.get(self.key)
        return token

    def _replace(self):
        try:
            cache.set(self.key, uuid.uuid4().hex, timeout=None)
        except Exception:
            logger.exception("What is kept of %s could not be marked out of date", self.name)

    def changed(self):
        """The tables changed (or are changing in the open transaction):
        nothing kept before is read again."""
        self._replace()
        transaction.on_commit(self._replace, robust=True)

    def changing(self, connection=None):
        """Whether the open transaction on ``connection`` (the default one
        if not given) has changed the tables: its token is to be replaced
        when it commits."""
        connection = connection or connections[DEFAULT_DB_ALIAS]
        return connection.in_atomic_block and any(
            func == self._replace for _, func, _ in connection.run_on_commit
        )

    def written(self, connection):
        """A write on ``connection`` (``watch_writes``): the token is replaced
        once its transaction commits, or at once outside a transaction. One
        replacement a transaction; none before the commit, as what it wrote
        is seen by nobody else until then and it reads nothing kept itself
        (``kept``)."""
        if not connection.in_atomic_block:
            self._replace()
        elif not self.changing(connection):
            connection.on_commit(self._replace, robust=True)

    def kept(self, key, compute, seconds, room=None):
        """What is kept as ``key``, if it was worked out under the current
        token; otherwise ``compute()`` now, kept for ``seconds`` with the
        token read before it if ``room()`` (if given) allows. The token and
        what is kept are read together, in one round trip."""
        kept_key = f"{self.name}:kept:{key}"
        if self.writes_watched and self.changing():
            # Worked out from its own writes, which may yet be rolled back.
            return compute()
        try:
            found = cache.get_many([self.key, kept_key])
            token = found.get(self.key) or self.current()
        except Exception:
            logger.exception("What is kept of %s could not be read", self.name)
            return compute()
        stored = found.get(kept_key)
        if stored is not None and stored[0] == token:
            return stored[1]
        value = compute()
        try:
            if room is None or room():
                cache.set(kept_key, (token, value), seconds)
        except Exception:
            logger.exception("What is worked out of %s could not be kept", self.name)
        return value

    def watch(self, *models, fields=None, through=()):
        """Replace the token when a row of ``models`` is saved or deleted (of
        a save naming its ``update_fields``, only when one of ``fields`` is
        among them, if ``fields`` is given), and when a many-to-many of
        ``through`` has been changed."""

        def saved(sender, update_fields=None, **kwargs):
            if fields is None or update_fields is None or set(fields) & set(update_fields):
                self.changed()

        def deleted(sender, **kwargs):
            self.changed()

        def related(sender, action, **kwargs):
            if action.startswith("post_"):  # once it is made, not also as it starts
                self.changed()

        for model in models:
            uid = f"kept-{self.name}-{model._meta.label}"
            post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{uid}-save")
            post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
        for model in through:
            uid = f"kept-{self.name}-{model._meta.label}"
            m2m_changed.connect(related, sender=model, weak=False, dispatch_uid=uid)

    def watch_writes(self, ignoring=()):
        """Replace the token after every write any database connection
        makes (``writes``: any statement but a read), but an ``INSERT``,
        ``UPDATE`` or ``DELETE`` of a table whose name starts with one of
        ``ignoring``: through Django's database instrumentation, so a bulk
        write and raw SQL are seen as a model's save is (``written``). A
        write in a transaction managed by hand (autocommit off, outside
        ``atomic``; nothing here does it) replaces the token at once, before
        its commit."""
        self.writes_watched = True
        watcher = _WriteWatcher(self, tuple(ignoring))

        def install(connection, **kwargs):
            if watcher not in connection.execute_wrappers:
                # First: ``execute_wrapper()`` blocks end by taking the last off.
                connection.execute_wrappers.insert(0, watcher)

        connection_created.connect(install, weak=False, dispatch_uid=f"kept-{self.name}-writes")
        for connection in connections.all(initialized_only=True):
            install(connection)


READ = re.compile(
    r"[\s(]*(?:SELECT|SHOW|EXPLAIN|SET|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I
)
"""A statement that reads (or sets up a session or a transaction)."""

TABLE_WRITTEN = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I
)
"""A write that names its one table first."""


def writes(sql, ignoring=()):
    """Whether ``sql`` may change what is kept: any statement but a read,
    unless it is an ``INSERT``, ``UPDATE`` or ``DELETE`` (SQLite's ``INSERT
    OR IGNORE`` and ``REPLACE`` too) of a table whose name starts with one
    of ``ignoring``. What cannot be read as text counts as a write."""
    if not isinstance(sql, str):
        return True
    if READ.match(sql):
        return False
    found = TABLE_WRITTEN.match(sql)
    return found is None or not found[1].startswith(tuple(ignoring))


class _WriteWatcher:
    """An execute wrapper that marks its version changed by a write."""

    def __init__(self, version, ignoring):
        self.version, self.ignoring = version, ignoring

    def __eq__(self, other):
        return isinstance(other, _WriteWatcher) and other.version is self.version

    def __hash__(self):
        return hash(self.version.name)

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if writes(sql, self.ignoring):
            self.version.written(context["connection"])
        return result


def all_changed():
    """Every version's tables changed: after ``migrate``, and after a bulk
    load (the demo's seed), which send no signal."""
    for version in VERSIONS:
        version.changed()
