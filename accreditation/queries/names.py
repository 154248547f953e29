"""Names searched for as people type them: the register's search, the case
list's and the conflict declaration's."""

import re

from django.db.models import Q

CURLY_APOSTROPHES = re.compile("[\u2018\u2019\u02bc]")
"""Left and right single quotation marks and the modifier letter apostrophe:
what a phone or a word processor types for an apostrophe."""


def name_contains(field, text):
    """``field`` holds ``text`` in any letter case, its apostrophes typed any
    way (St Aidan's, St Aidan\u2019s): found where the name is stored with a
    straight apostrophe or a right single quotation mark (U+2019), the two a
    keyboard and a phone write."""
    straight = CURLY_APOSTROPHES.sub("'", text)
    found = Q(**{f"{field}__icontains": straight})
    if "'" in straight:
        found |= Q(**{f"{field}__icontains": straight.replace("'", "\u2019")})
    return found
