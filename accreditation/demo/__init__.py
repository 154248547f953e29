"""The demo data set behind ``manage.py seed_demo``.

Everything is keyed on natural keys (e-mail addresses, organisation names,
round term and year), so running the seed again adds nothing:

- users are looked up by e-mail and created with ``create_user`` only if
  missing; every one of them has the password ``PASSWORD``;
- organisations are looked up by name; an organisation's cases are created
  only while it has none, so a rerun on another day does not add a second
  history to it;
- rounds are derived from today's date (term and year from the submission
  deadline, by the term calendar) and reused when a round for that term and
  year exists.

The base set (100 organisations, over 200 cases in 12 rounds) and the
``scale - 1`` times as many organisations that ``scale > 1`` adds ("Scale
org 00042") are built the same way: the cases are inserted as drafts and
moved step by step with ``move_many()`` as the role that would make each
move, at a time inside the round, so the transition table, the case roles
and the guards check every move and every timeline is genuine.

- ``people``: staff in every role and the named applicants;
- ``organisations``: featured, generated and scale organisations;
- ``histories``: the outcomes over the rounds and the steps to each;
- ``timing``: when each step happens;
- ``rounds``: rounds, out-of-round windows and Advisory Group meetings;
- ``moves``: playing the plans through the workflow, with the parts the
  actors need;
- ``scale``: the bulk organisations of ``--scale``;
- ``requests``: the information requests behind the moves that ask for them;
- ``answers``: every submitted case's answers, from a bank of paragraphs;
- ``assessed``: the scores and recommendation behind each recommend move;
- ``letters``: each letter a case is owed, recorded as issued minutes after
  its decision (rendered per case; once per purpose at scale);
- ``closing``: out-of-round windows that close minutes after seeding;
- ``seeder``: all of it, by natural keys.
"""

from accreditation.demo.moves import DemoError
from accreditation.demo.people import DEMO_USERS, PASSWORD
from accreditation.demo.seeder import seed, summary

__all__ = ["DEMO_USERS", "PASSWORD", "DemoError", "seed", "summary"]
