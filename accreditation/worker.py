"""Whether a change asks the worker to do its follow-up work at once (send
the outbox, issue a letter) when it commits. The sweepers find that work
within a minute anyway (the database is the record of what is owed), so a
process that does the follow-up itself, or does not want it done now, can
stop asking: the demo seed records its letters as history (asking would
leave the worker a queue of tasks that issue nothing), and the e-mails its
steps queue are sent by the sweeper a minute after ``make run`` starts."""

from contextlib import contextmanager
from contextvars import ContextVar

_asking = ContextVar("asking_the_worker", default=True)


def is_asked():
    return _asking.get()


@contextmanager
def not_asked():
    """Inside, changes ask the worker for nothing (their transactions must
    commit inside too: the asking happens at commit)."""
    token = _asking.set(False)
    try:
        yield
    finally:
        _asking.reset(token)
