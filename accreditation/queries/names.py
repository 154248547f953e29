"""Names searched for as people type them: the register's search, the case
list's and the conflict declaration's."""

import itertools
import re

from django.db.models import Q

CURLY_APOSTROPHES = re.compile("[\u2018\u2019\u02bc]")
"""Left and right single quotation marks and the modifier letter apostrophe:
what a phone or a word processor types for an apostrophe."""

POSSESSIVE = re.compile(r"(?<=\w\w)(?=s\b)", re.IGNORECASE)
"""Where an apostrophe left out of a possessive goes: before the ``s`` that
ends a word of three letters or more (Aidans: Aidan's)."""

SAINT = re.compile(r"\b(?:st\.?|saint)(?=\s|$)", re.IGNORECASE)
"""The word Saint, as a name may spell it (St, St. or Saint): a word of its
own, before another or at the end of what was typed."""

SAINT_SPELLINGS = ("St", "St.", "Saint")

MOST_POSSESSIVES = 3
"""Words of the text tried with and without an apostrophe, at most: each
doubles the searches, and a name rarely has more."""


def _spellings(text):
    """``text`` as it may be stored: as typed, or without its apostrophes
    with one before the ``s`` ending a word, in any of those words (St
    Mary's and St Johns finds St Mary's and St John's). Text of apostrophes
    alone is looked for as typed."""
    bare = text.replace("'", "")
    if not bare.strip():
        # Apostrophes alone: left out, nothing would be left to look for.
        return {text}
    places = [match.start() for match in POSSESSIVE.finditer(bare)][:MOST_POSSESSIVES]
    spellings = {text}
    for chosen in itertools.product((False, True), repeat=len(places)):
        spelled, shift = bare, 0
        for place, apostrophe in zip(places, chosen, strict=True):
            if apostrophe:
                spelled = spelled[: place + shift] + "'" + spelled[place + shift :]
                shift += 1
        spellings.add(spelled)
    return spellings


def _saints(text):
    """``text`` with each Saint spelled each way (the same way throughout:
    a name spells it one way). Typed last, St and St. are looked for with
    the space a name has after them ("Saint" alone finds St Anne's, not
    every name holding "st")."""
    found = SAINT.search(text)
    if not found:
        return {text}
    # "Queen St" may be a street's: kept as typed too. Saint alone is not.
    kept = set() if found.span() == (0, len(text)) else {text}

    def spelled(spelling):
        def write(match):
            last = match.end() == len(text) and spelling != "Saint"
            return f"{spelling} " if last else spelling

        return write

    return kept | {SAINT.sub(spelled(spelling), text) for spelling in SAINT_SPELLINGS}


def name_contains(field, text):
    """``field`` holds ``text`` in any letter case, its apostrophes typed any
    way or left out (St Aidan's, St Aidan\u2019s, St Aidans), and Saint
    spelled St, St. or Saint: found where the name is stored with a straight
    apostrophe, a right single quotation mark (U+2019, the two a keyboard
    and a phone write) or none. Each spelling is a ``LIKE`` of its own, so
    an index on the name still serves it."""
    found = Q()
    spellings = _spellings(CURLY_APOSTROPHES.sub("'", text))
    for spelled in sorted(set().union(*map(_saints, spellings))):
        for written in {spelled, spelled.replace("'", "\u2019")}:
            found |= _holds(field, written)
    return found


def _holds(field, text):
    """``field`` holds ``text``; text that begins with Saint (St, St.) only
    where that is a word of the name's: "St Aidan" is not "Forest Aidan"."""
    if not SAINT.match(text):
        return Q(**{f"{field}__icontains": text})
    return Q(**{f"{field}__istartswith": text}) | Q(**{f"{field}__icontains": f" {text}"})
