"""Clinical vocabulary of the demo clinic: allergies, reasons for admission, surgeries, exams.

Kept apart from the generator so that a clinician can review the wording in one place. SNOMED
codes are given only where they are certain; the other entries are coded by text alone, as
many real allergy lists are, so that the importer meets both.
"""

from __future__ import annotations

from dataclasses import dataclass

from continuity.demo.drugs import CHIR, MAT, MED, NN, USC


@dataclass(frozen=True)
class Allergy:
    """A substance a patient reacts to, and the order families it rules out."""

    text: str
    snomed: str | None
    snomed_display: str | None
    category: str  # FHIR AllergyIntolerance.category: medication | food | environment
    manifestations: tuple[str, ...]
    excludes: tuple[str, ...] = ()  # Drug.group values never prescribed to this patient


ALLERGIES: tuple[Allergy, ...] = (
    Allergy("Pénicilline", "764146007", "Penicillin", "medication",
            ("Urticaire généralisée", "Œdème de Quincke", "Choc anaphylactique"),
            ("penicilline",)),
    Allergy("Amoxicilline", "372687004", "Amoxicillin", "medication",
            ("Éruption cutanée", "Urticaire"), ("penicilline",)),
    Allergy("Iode / produits de contraste iodés", "44588005", "Iodine", "medication",
            ("Bronchospasme", "Érythème", "Malaise avec hypotension")),
    Allergy("Latex", "111088007", "Latex", "environment",
            ("Eczéma de contact", "Rhinite", "Choc anaphylactique")),
    Allergy("Arachide", "762952008", "Peanut", "food",
            ("Œdème des lèvres", "Choc anaphylactique")),
    Allergy("AINS (anti-inflammatoires non stéroïdiens)", "372665008",
            "Non-steroidal anti-inflammatory agent", "medication",
            ("Asthme aigu", "Urticaire"), ("ains",)),
    Allergy("Codéine", None, None, "medication", ("Nausées, vomissements", "Prurit")),
    Allergy("Sulfamides", None, None, "medication", ("Éruption cutanée", "Syndrome de Lyell")),
    Allergy("Fruits à coque", None, None, "food", ("Prurit buccal", "Urticaire")),
    Allergy("Sparadrap (colle acrylique)", None, None, "environment", ("Eczéma de contact",)),
)  # fmt: skip

NO_KNOWN_ALLERGY = ("716186003", "No known allergy", "Pas d'allergie connue")

# Reasons for admission (Encounter.reasonCode text) per ward kind.
REASONS: dict[str, tuple[str, ...]] = {
    MAT: (
        "Accouchement par voie basse",
        "Césarienne programmée",
        "Césarienne en urgence",
        "Menace d'accouchement prématuré",
        "Pré-éclampsie",
        "Surveillance post-partum",
        "Diabète gestationnel déséquilibré",
    ),
    NN: (
        "Nouveau-né à terme, surveillance en maternité",
        "Surveillance néonatale (risque infectieux)",
    ),
    CHIR: (
        "Cholécystite aiguë lithiasique",
        "Appendicite aiguë",
        "Fracture du col du fémur",
        "Coxarthrose, prothèse totale de hanche",
        "Gonarthrose, prothèse totale de genou",
        "Sigmoïdite diverticulaire",
        "Hernie inguinale étranglée",
        "Occlusion sur bride",
        "Hypertrophie bénigne de la prostate",
        "Goitre multinodulaire",
    ),
    MED: (
        "Pneumopathie aiguë communautaire",
        "Décompensation cardiaque",
        "Pyélonéphrite aiguë",
        "Exacerbation de BPCO",
        "Altération de l'état général",
        "Chute à domicile chez la personne âgée",
        "Déséquilibre de diabète de type 2",
        "Lymphome, cure de chimiothérapie",
        "Embolie pulmonaire",
        "Érysipèle de jambe",
        "Hyponatrémie",
    ),
    USC: (
        "Sepsis à point de départ urinaire",
        "Détresse respiratoire aiguë",
        "Surveillance post-opératoire lourde",
        "Hémorragie digestive haute",
        "Acidocétose diabétique",
        "Embolie pulmonaire grave",
    ),
}


@dataclass(frozen=True)
class Surgery:
    """An operation on the operating-room list, with its usual length in minutes."""

    text: str
    minutes: tuple[int, int]
    specialty: str  # which surgeon does it (key of SPECIALTIES)


SURGERIES: dict[str, tuple[Surgery, ...]] = {
    CHIR: (
        Surgery("Cholécystectomie coelioscopique", (60, 90), "visceral"),
        Surgery("Appendicectomie coelioscopique", (45, 60), "visceral"),
        Surgery("Cure de hernie inguinale selon Lichtenstein", (45, 60), "visceral"),
        Surgery("Sigmoïdectomie coelioscopique", (150, 210), "visceral"),
        Surgery("Thyroïdectomie totale", (90, 120), "visceral"),
        Surgery("Prothèse totale de hanche", (90, 120), "orthopedie"),
        Surgery("Prothèse totale de genou", (90, 120), "orthopedie"),
        Surgery("Ostéosynthèse du col du fémur", (60, 90), "orthopedie"),
        Surgery("Arthroscopie du genou", (30, 60), "orthopedie"),
        Surgery("Résection transurétrale de prostate", (60, 90), "urologie"),
    ),
    MAT: (
        Surgery("Césarienne programmée", (45, 60), "obstetrique"),
        Surgery("Cerclage du col utérin", (30, 45), "obstetrique"),
    ),
    MED: (
        Surgery("Pose de chambre implantable", (30, 45), "visceral"),
        Surgery("Coloscopie sous anesthésie générale", (30, 45), "visceral"),
    ),
    USC: (Surgery("Trachéotomie percutanée", (30, 45), "visceral"),),
}


@dataclass(frozen=True)
class Exam:
    """An imaging exam or consultation booked for an inpatient."""

    text: str
    place: str  # key of the consultation location
    minutes: int
    wards: tuple[str, ...]
    specialty: str | None = None  # the doctor who sees the patient, for consultations


EXAMS: tuple[Exam, ...] = (
    Exam("Radiographie thoracique de face", "radiologie", 15, (MED, USC, CHIR)),
    Exam("Scanner thoraco-abdomino-pelvien injecté", "radiologie", 30, (MED, CHIR, USC)),
    Exam("Radiographie du bassin et de la hanche", "radiologie", 15, (CHIR,)),
    Exam("Échographie abdominale", "echographie", 30, (MED, CHIR)),
    Exam("Échographie obstétricale", "echographie", 30, (MAT,)),
    Exam("Doppler veineux des membres inférieurs", "echographie", 30, (MED, CHIR, MAT)),
    Exam("Consultation d'anesthésie", "consultation", 20, (CHIR, MAT, MED), "anesthesie"),
    Exam("Consultation de diabétologie", "consultation", 30, (MED, MAT), "medecine-interne"),
)

# Consultation and imaging places: key -> (name, FHIR v3 RoleCode or None, French type text)
CONSULTATION_PLACES: tuple[tuple[str, str, str | None, str], ...] = (
    ("radiologie", "Radiologie", "RADDX", "Imagerie médicale"),
    ("echographie", "Échographie", "RADDX", "Imagerie médicale"),
    ("consultation", "Consultations externes", None, "Consultation"),
)

# Prescriber specialties: key -> (French title, the ward kinds whose orders they sign)
SPECIALTIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "visceral": ("Chirurgien viscéral et digestif", (CHIR,)),
    "orthopedie": ("Chirurgien orthopédiste", (CHIR,)),
    "urologie": ("Chirurgien urologue", (CHIR,)),
    "obstetrique": ("Gynécologue-obstétricien", (MAT,)),
    "sage-femme": ("Sage-femme", (MAT,)),
    "anesthesie": ("Médecin anesthésiste-réanimateur", (CHIR, USC, MAT)),
    "medecine-interne": ("Médecin interniste", (MED,)),
    "cardiologie": ("Cardiologue", (MED, USC)),
    "pneumologie": ("Pneumologue", (MED,)),
    "oncologie": ("Oncologue médical", (MED,)),
    "geriatrie": ("Gériatre", (MED,)),
    "pediatrie": ("Pédiatre", (NN,)),
    "reanimation": ("Médecin réanimateur", (USC,)),
}

# The order in which prescribers are created: the first 15 cover every ward; larger clinics
# repeat the cycle.
PRESCRIBER_CYCLE: tuple[str, ...] = (
    "visceral",
    "orthopedie",
    "urologie",
    "obstetrique",
    "sage-femme",
    "anesthesie",
    "medecine-interne",
    "cardiologie",
    "pneumologie",
    "oncologie",
    "geriatrie",
    "pediatrie",
    "reanimation",
    "anesthesie",
    "medecine-interne",
)
