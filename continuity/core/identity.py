"""Is this arriving patient someone the hospital already knows? (identity vigilance)

During an outage two laptops may register the same person, or register as new someone who
is in the census under a slightly different spelling. Before a downtime admission the app
shows likely matches: a similar name (accents, case, typos and swapped family/given names
forgiven) with a compatible birth date and sex, or the same name with another birth date
(a homonym, which staff must tell apart explicitly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from continuity.core.text import fold

#: Name similarity (0-1) from which two people may be the same when nothing contradicts it.
SIMILAR_NAME = 0.85
#: With the same birth date and sex, a family name this close still counts (married names,
#: typos in a long name).
SIMILAR_FAMILY_SAME_BIRTH = 0.6
#: Same (or almost the same) name: shown even with another birth date, as a homonym.
HOMONYM = 0.95


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    birth_date: date | None
    sex: str | None


def _ratio(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()


def name_similarity(a: Person, b: Person) -> float:
    """0-1; the better of the straight and the swapped (family <-> given) reading."""
    af, ag, bf, bg = fold(a.family), fold(a.given), fold(b.family), fold(b.given)
    given_weight = 0.4 if ag and bg else 0.0

    def score(f1: str, g1: str, f2: str, g2: str) -> float:
        return (1 - given_weight) * _ratio(f1, f2) + given_weight * _ratio(g1, g2)

    return max(score(af, ag, bf, bg), score(af, ag, bg, bf) if given_weight else 0.0)


def _birth_relation(a: date | None, b: date | None) -> str:
    if a is None or b is None:
        return "unknown"
    if a == b:
        return "same"
    if a.year == b.year and (a.month, a.day) == (b.day, b.month):
        return "same"  # day and month swapped: the commonest typing error on a birth date
    return "different"


def _sex_conflict(a: str | None, b: str | None) -> bool:
    known = ("male", "female")
    return a in known and b in known and a != b


def match(query: Person, candidate: Person) -> tuple[float, list[str]] | None:
    """(score, reasons) when `candidate` may be `query`, else None.

    Reasons: "name" (similar name), "birth_date" (same birth date), "homonym" (same name,
    another birth date).
    """
    if not fold(query.family) or not fold(candidate.family):
        return None
    birth = _birth_relation(query.birth_date, candidate.birth_date)
    if (
        birth != "same"
        and fold(query.family)[:1] != fold(candidate.family)[:1]
        and (fold(query.family)[:1] != fold(candidate.given)[:1])
    ):
        return None  # cheap filter: a different first letter and nothing else in common
    name = name_similarity(query, candidate)
    conflict = _sex_conflict(query.sex, candidate.sex)
    if birth == "same" and not conflict:
        family = max(_ratio(fold(query.family), fold(candidate.family)), name)
        if name >= SIMILAR_NAME or family >= SIMILAR_FAMILY_SAME_BIRTH:
            return 1.0 + name, ["name", "birth_date"]
    if name >= SIMILAR_NAME and birth == "unknown" and not conflict:
        return name, ["name"]
    if name >= HOMONYM and birth == "different":
        return name - 0.5, ["homonym"]
    return None
