"""Drug classes for the allergy check: an allergy to "pénicilline" must stop "amoxicilline".

Allergies are written by people, in French or English, as a substance ("Amoxicilline"), a
class ("Pénicillines", "AINS") or a code; prescriptions name a product ("Amoxicilline 1 g,
comprimé dispersible") with an ATC code. Matching on folded words (no accents, no case; a
word of 5 letters or more matches the same word with another ending, so "penicillin" matches
"pénicilline") catches the same substance; this small table catches the class.

For a cross-reactive class (penicillins, NSAIDs, sulfonamide antibiotics, heparins...), an
allergy to one member counts for every member, as French prescribing practice has it. For
the others (opioids), only an allergy naming the class itself counts for the whole class: a
nausea with codeine is no reason to warn on every morphine dose. A warning asks for
confirmation and never blocks, so the table errs towards warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from continuity.core.text import fold

#: Words that say nothing about the substance (forms, salts, filler words of allergy lists).
_NOISE = frozenset(
    """allergie allergy allergic allergique intolerance substance produit produits comprime
    comprimes gelule gelules capsule tablet solution injectable injection perfusion buvable
    sachet poudre sirop suspension orale oral dispersible pellicule acide acid sodium sodique
    chlorure potassium vitamine famille classe medicament medicaments drug drugs agent agents
    finding disorder edible""".split()
)
_MIN_STEM = 5


@dataclass(frozen=True)
class DrugClass:
    name: str  # shown in the warning (French, as on the ward)
    aliases: tuple[str, ...]  # how an allergy may name the class itself
    members: tuple[str, ...]  # substances of the class (French DCI, English names, brands)
    atc_prefixes: tuple[str, ...]
    snomed: tuple[str, ...] = ()  # allergy codes that stand for the class or a member
    cross_reactive: bool = True


# fmt: off
DRUG_CLASSES: tuple[DrugClass, ...] = (
    DrugClass("pénicillines", ("penicilline", "penicillines", "penicillin", "penicillins",
                               "beta lactamines"),
              ("amoxicilline", "ampicilline", "benzylpenicilline", "phenoxymethylpenicilline",
               "oxacilline", "cloxacilline", "piperacilline", "ticarcilline", "temocilline",
               "pivmecillinam", "mecillinam", "extencilline", "augmentin", "clamoxyl",
               "tazocilline", "orbenine", "oracilline"),
              ("J01C",), ("764146007", "372687004", "91936005", "294505008")),
    DrugClass("céphalosporines", ("cephalosporine", "cephalosporines", "cephalosporin"),
              ("cefazoline", "cefalexine", "cefuroxime", "cefoxitine", "ceftriaxone",
               "cefotaxime", "ceftazidime", "cefepime", "cefixime", "cefpodoxime",
               "rocephine", "claforan"),
              ("J01DB", "J01DC", "J01DD", "J01DE", "J01DI")),
    DrugClass("sulfamides", ("sulfamide", "sulfamides", "sulfonamide", "sulfonamides",
                             "sulfa"),
              ("sulfamethoxazole", "cotrimoxazole", "co trimoxazole", "bactrim",
               "sulfadiazine", "sulfasalazine"),
              ("J01E",)),
    DrugClass("AINS", ("ains", "anti inflammatoires non steroidiens",
                       "anti inflammatoire non steroidien", "nsaid", "nsaids",
                       "non steroidal anti inflammatory"),
              ("ibuprofene", "ketoprofene", "diclofenac", "naproxene", "flurbiprofene",
               "piroxicam", "meloxicam", "celecoxib", "etoricoxib", "indometacine",
               "acide acetylsalicylique", "aspirine", "aspirin", "kardegic", "advil",
               "profenid", "voltarene"),
              ("M01A", "N02BA", "B01AC06"), ("372665008", "387458008")),
    DrugClass("héparines", ("heparine", "heparines", "heparin"),
              ("enoxaparine", "tinzaparine", "dalteparine", "nadroparine", "heparine sodique",
               "heparine calcique", "calciparine", "lovenox", "innohep", "fragmine",
               "fraxiparine"),
              ("B01AB",)),
    DrugClass("fluoroquinolones", ("quinolone", "quinolones", "fluoroquinolone",
                                   "fluoroquinolones"),
              ("ciprofloxacine", "levofloxacine", "ofloxacine", "moxifloxacine",
               "norfloxacine", "ciflox", "tavanic", "oflocet"),
              ("J01M",)),
    DrugClass("produits iodés", ("iode", "iodine", "produits de contraste iodes",
                                 "contraste iode"),
              ("povidone iodee", "betadine", "iohexol", "iopamidol", "iodixanol",
               "iomeprol", "ioversol", "omnipaque", "iomeron", "xenetix"),
              ("V08A", "D08AG"), ("44588005",)),
    DrugClass("opioïdes", ("opioide", "opioides", "opiace", "opiaces", "morphinique",
                           "morphiniques", "opioid", "opioids", "opiate", "opiates"),
              ("morphine", "oxycodone", "codeine", "tramadol", "fentanyl", "hydromorphone",
               "sufentanil", "nalbuphine", "buprenorphine", "methadone", "tapentadol"),
              ("N02A",), cross_reactive=False),
)
# fmt: on


def words(text: str | None) -> list[str]:
    """Folded words without numbers, punctuation and noise: 'Amoxicilline 1 g, comprimé'
    gives ['amoxicilline']."""
    return [
        w
        for w in re.split(r"[^a-z0-9]+", fold(text))
        if len(w) > 2 and not w.isdigit() and w not in _NOISE
    ]


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= _MIN_STEM and long_.startswith(short)


def mentions(text_words: list[str], term: str) -> bool:
    """Does the text name `term` (one word, or several in a row)?"""
    raw = [w for w in re.split(r"[^a-z0-9]+", fold(term)) if w]
    # The term loses what the text lost (noise, numbers, short words): "acide
    # acetylsalicylique" must match the words of "Acide acétylsalicylique 75 mg", which
    # lost "acide".
    term_words = words(term) or raw
    n = len(term_words)
    if n == 0:
        return False
    if n == 1:
        return any(_same_word(w, term_words[0]) for w in text_words)
    return any(
        all(_same_word(text_words[i + k], term_words[k]) for k in range(n))
        for i in range(len(text_words) - n + 1)
    )


def _allergy_classes(substance: str, code: str | None) -> list[DrugClass]:
    """The classes an allergy stands for: named as a class, a cross-reactive member, a code."""
    found = []
    allergy_words = words(substance)
    for cls in DRUG_CLASSES:
        named = any(mentions(allergy_words, alias) for alias in cls.aliases)
        member = cls.cross_reactive and any(mentions(allergy_words, m) for m in cls.members)
        coded = bool(code) and code in cls.snomed
        if named or member or coded:
            found.append(cls)
    return found


def _drug_in_class(cls: DrugClass, drug_words: list[str], drug_code: str | None) -> bool:
    code = (drug_code or "").strip().upper()
    if code and any(code.startswith(prefix) for prefix in cls.atc_prefixes):
        return True
    return any(mentions(drug_words, m) for m in (*cls.members, *cls.aliases))


def allergy_conflict(
    drug: str, drug_code: str | None, substance: str, code: str | None = None
) -> str | None:
    """Why this drug may trigger this allergy ('amoxicilline', 'pénicillines'), or None."""
    drug_words = words(drug)
    if code and drug_code and code.strip().upper() == drug_code.strip().upper():
        return substance
    if any(mentions(drug_words, w) for w in words(substance)):
        return substance
    for cls in _allergy_classes(substance, code):
        if _drug_in_class(cls, drug_words, drug_code):
            return cls.name
    return None


def allergy_conflicts(
    drug: str, drug_code: str | None, allergies: Iterable[tuple[str, str | None]]
) -> list[tuple[str, str]]:
    """Every (allergy substance, why) the drug may trigger, in the allergies' order."""
    found = []
    for substance, code in allergies:
        why = allergy_conflict(drug, drug_code, substance, code)
        if why is not None:
            found.append((substance, why))
    return found
