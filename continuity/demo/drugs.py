"""The demo clinic's drug catalogue: French DCI names, forms, usual doses, routes and rhythms.

Each entry says how the drug is usually prescribed on a French ward, so that the generated
orders read like real ones ("Énoxaparine 4000 UI SC le soir") and so that the wards get the
drugs nurses must double-check (insulins, heparins, morphine, potassium chloride,
chemotherapy). Doses with several values let two patients on the same drug differ. The regimen
names refer to the timing patterns built in `continuity.demo.orders`.
"""

from __future__ import annotations

from dataclasses import dataclass

# Ward kinds. NN = newborns, who stay in Maternité with their mother.
MAT, CHIR, MED, USC, NN = "MAT", "CHIR", "MED", "USC", "NN"
ADULT_WARDS = (MAT, CHIR, MED, USC)

ATC_SYSTEM = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"

ROUTES: dict[str, tuple[str, str, str, str]] = {
    # key: (code, display, French route name, short form used inside instructions)
    "PO": ("26643006", "Oral route", "voie orale", "per os"),
    "IV": ("47625008", "Intravenous route", "voie intraveineuse", "IV"),
    "SC": ("34206005", "Subcutaneous route", "voie sous-cutanée", "SC"),
    "IM": ("78421000", "Intramuscular route", "voie intramusculaire", "IM"),
    "INH": ("447694001", "Respiratory tract route", "voie inhalée", "en inhalation"),
    "NAS": ("46713006", "Nasal route", "voie nasale", "par voie nasale"),
    "CUT": ("6064005", "Topical route", "voie cutanée", "locale"),
}


@dataclass(frozen=True)
class Drug:
    """One orderable product with its usual way of being prescribed."""

    key: str
    label: str  # what the prescriber sees: DCI, brand in brackets, strength, form
    dci: str
    atc: str | None  # None: a product with no ATC code (coded by text only)
    form: str
    doses: tuple[float, ...]
    unit: str  # French unit as printed: "g", "mg", "UI", "mL", "comprimé"
    ucum: str | None  # UCUM code of `unit`, None when the unit is a form word
    route: str
    regimens: tuple[str, ...]
    wards: tuple[str, ...]
    weight: float = 1.0  # how often it is chosen among a ward's drugs
    prn: str | None = None  # the "as needed" condition, for PRN regimens
    max_per_day: float | None = None  # in `unit`, printed and coded for PRN orders
    days: int | None = None  # a course (antibiotics): boundsPeriod of that many days
    note: str = ""  # appended to the instruction text
    family: str = ""  # orders of one family are exclusive (one paracetamol, one heparin)

    @property
    def group(self) -> str:
        return self.family or self.key


# fmt: off
CATALOGUE: tuple[Drug, ...] = (
    # --- pain, fever ---------------------------------------------------------------------
    Drug("paracetamol-po", "Paracétamol 1 g, comprimé", "Paracétamol", "N02BE01", "comprimé",
         (1,), "g", "g", "PO", ("Q6H", "C_Q6H", "T06_12_18_24", "PRN_Q6H"), ADULT_WARDS,
         weight=6, prn="si douleur ou T° > 38,5 °C", max_per_day=4, family="paracetamol"),
    Drug("paracetamol-iv", "Paracétamol 1 g/100 mL, solution pour perfusion", "Paracétamol",
         "N02BE01", "solution pour perfusion", (1,), "g", "g", "IV",
         ("Q6H", "C_Q6H", "PRN_Q6H"), (CHIR, USC, MED), weight=3, prn="si T° > 38,5 °C",
         max_per_day=4, family="paracetamol"),
    Drug("nefopam", "Néfopam 20 mg/2 mL, solution injectable", "Néfopam", "N02BG06",
         "solution injectable", (20,), "mg", "mg", "IV", ("Q6H", "C_Q6H", "PRN_Q6H"),
         (CHIR, USC, MAT), weight=2, prn="si douleur", max_per_day=120,
         note=" en perfusion lente de 30 min"),
    Drug("tramadol", "Tramadol 50 mg, gélule", "Tramadol", "N02AX02", "gélule", (50, 100), "mg",
         "mg", "PO", ("PRN_Q6H", "Q8H"), (CHIR, MED, MAT), weight=1.5, prn="si douleur",
         max_per_day=400),
    Drug("ketoprofene", "Kétoprofène 50 mg, gélule", "Kétoprofène", "M01AE03", "gélule", (50,),
         "mg", "mg", "PO", ("Q8H", "F3D", "PRN_Q8H"), (CHIR, MAT), weight=1.5, prn="si douleur",
         days=3, family="ains"),
    Drug("ibuprofene", "Ibuprofène 400 mg, comprimé", "Ibuprofène", "M01AE01", "comprimé",
         (400,), "mg", "mg", "PO", ("Q8H", "PRN_Q8H"), (MAT, CHIR), prn="si douleur",
         max_per_day=1200, family="ains"),
    Drug("morphine-sc", "Morphine chlorhydrate 10 mg/mL, solution injectable", "Morphine",
         "N02AA01", "solution injectable", (2.5, 5, 7.5), "mg", "mg", "SC",
         ("PRN_Q4H", "Q4H"), (CHIR, USC, MED, MAT), weight=2, prn="si EVA > 3",
         note=", surveillance sédation et fréquence respiratoire", family="morphine"),
    Drug("morphine-lp", "Morphine sulfate LP (Skenan), gélule", "Morphine", "N02AA01", "gélule",
         (10, 20, 30), "mg", "mg", "PO", ("Q12H", "T08_20", "C_BID"), (MED,),
         family="morphine"),
    Drug("oramorph", "Morphine sulfate 20 mg/mL (Oramorph), solution buvable", "Morphine",
         "N02AA01", "solution buvable", (5, 10), "mg", "mg", "PO", ("PRN_Q4H",), (MED,),
         prn="si accès douloureux", family="morphine"),
    Drug("oxycodone", "Oxycodone (Oxynormoro), comprimé orodispersible", "Oxycodone", "N02AA05",
         "comprimé orodispersible", (5, 10), "mg", "mg", "PO", ("PRN_Q4H", "PRN_Q6H"),
         (CHIR, MED), weight=1.5, prn="si EVA > 4", family="oxycodone"),
    Drug("oxycodone-lp", "Oxycodone LP (Oxycontin), comprimé", "Oxycodone", "N02AA05",
         "comprimé à libération prolongée", (10, 20), "mg", "mg", "PO", ("Q12H", "T08_20"),
         (CHIR,), family="oxycodone"),
    Drug("phloroglucinol", "Phloroglucinol (Spasfon) 80 mg, lyophilisat oral",
         "Phloroglucinol", "A03AX12", "lyophilisat oral", (80, 160), "mg", "mg", "PO",
         ("PRN_Q8H", "C_TID", "W_MORN_NOON_EVE"), (MAT, CHIR, MED),
         prn="si douleurs abdominales"),
    # --- anti-infectives -----------------------------------------------------------------
    Drug("amoxicilline-po", "Amoxicilline 1 g, comprimé dispersible", "Amoxicilline", "J01CA04",
         "comprimé dispersible", (1,), "g", "g", "PO", ("Q8H", "F3D", "T06_14_22"),
         (MED, MAT, CHIR), days=7, family="penicilline"),
    Drug("amoxicilline-iv", "Amoxicilline, poudre pour solution injectable", "Amoxicilline",
         "J01CA04", "poudre pour solution injectable", (1, 2), "g", "g", "IV",
         ("Q8H", "T06_14_22"), (MED, USC), days=7, family="penicilline"),
    Drug("amox-clav-iv", "Amoxicilline/acide clavulanique 1 g/200 mg, IV",
         "Amoxicilline + acide clavulanique", "J01CR02", "poudre pour solution injectable",
         (1,), "g", "g", "IV", ("Q8H", "T06_14_22"), (CHIR, MED, USC), days=7,
         family="penicilline"),
    Drug("ceftriaxone", "Ceftriaxone, poudre pour solution injectable", "Ceftriaxone",
         "J01DD04", "poudre pour solution injectable", (1, 2), "g", "g", "IV",
         ("Q24H", "F1D", "T08"), (MED, USC), weight=1.5, days=7, family="cephalosporine"),
    Drug("cefazoline", "Céfazoline 2 g, poudre pour solution injectable", "Céfazoline",
         "J01DB04", "poudre pour solution injectable", (2,), "g", "g", "IV", ("N3_Q8H", "N1"),
         (CHIR,), note=" (antibioprophylaxie)", family="cephalosporine"),
    Drug("vancomycine", "Vancomycine 1 g, poudre pour perfusion", "Vancomycine", "J01XA01",
         "poudre pour solution pour perfusion", (1,), "g", "g", "IV", ("Q12H", "T08_20"),
         (USC, MED), days=7, note=", dosage résiduel avant la 4e injection"),
    Drug("metronidazole", "Métronidazole 500 mg/100 mL, solution pour perfusion",
         "Métronidazole", "J01XD01", "solution pour perfusion", (500,), "mg", "mg", "IV",
         ("Q8H",), (CHIR, MED), days=7),
    # --- anticoagulants, cardiovascular ---------------------------------------------------
    Drug("enoxaparine", "Énoxaparine (Lovenox) 4000 UI/0,4 mL, solution injectable en seringue",
         "Énoxaparine", "B01AB05", "solution injectable", (4000,), "UI", "[iU]", "SC",
         ("F1D", "T20", "W_EVE", "Q24H"), ADULT_WARDS, weight=5, family="anticoagulant"),
    Drug("enoxaparine-curative", "Énoxaparine (Lovenox) 6000 UI/0,6 mL, seringue",
         "Énoxaparine", "B01AB05", "solution injectable", (6000, 8000), "UI", "[iU]", "SC",
         ("Q12H", "T08_20"), (MED, USC), note=", contrôle anti-Xa", family="anticoagulant"),
    Drug("heparine-ivse", "Héparine sodique 25 000 UI/5 mL, solution injectable",
         "Héparine sodique", "B01AB01", "solution injectable", (20000, 24000), "UI", "[iU]",
         "IV", ("CONT24",), (USC, MED),
         note=" à la seringue électrique, adapter selon anti-Xa",
         family="anticoagulant"),
    Drug("heparine-calcique", "Héparine calcique (Calciparine) 5000 UI/0,2 mL",
         "Héparine calcique", "B01AB01", "solution injectable", (5000,), "UI", "[iU]", "SC",
         ("Q8H", "C_TID"), (MED, USC), family="anticoagulant"),
    Drug("apixaban", "Apixaban (Eliquis), comprimé", "Apixaban", "B01AF02", "comprimé",
         (2.5, 5), "mg", "mg", "PO", ("T08_20", "C_BID", "W_MORN_EVE"), (MED,),
         family="anticoagulant"),
    Drug("kardegic", "Acide acétylsalicylique (Kardégic) 75 mg, poudre en sachet",
         "Acide acétylsalicylique", "B01AC06", "poudre pour solution buvable en sachet", (75,),
         "mg", "mg", "PO", ("W_NOON", "F1D"), (MED, USC, CHIR), weight=1.5),
    Drug("furosemide-po", "Furosémide (Lasilix), comprimé", "Furosémide", "C03CA01", "comprimé",
         (20, 40), "mg", "mg", "PO", ("W_MORN", "T08"), (MED,), weight=1.5,
         family="furosemide"),
    Drug("furosemide-iv", "Furosémide 20 mg/2 mL, solution injectable", "Furosémide", "C03CA01",
         "solution injectable", (20, 40, 80), "mg", "mg", "IV", ("T08", "C_BID", "Q12H"),
         (USC, MED), family="furosemide"),
    Drug("amlodipine", "Amlodipine, gélule", "Amlodipine", "C08CA01", "gélule", (5, 10), "mg",
         "mg", "PO", ("W_MORN", "T08", "F1D"), (MED, USC, CHIR), weight=1.5),
    Drug("bisoprolol", "Bisoprolol, comprimé", "Bisoprolol", "C07AB07", "comprimé",
         (1.25, 2.5, 5), "mg", "mg", "PO", ("W_MORN", "T08"), (MED, USC, CHIR), weight=1.5),
    Drug("ramipril", "Ramipril, comprimé", "Ramipril", "C09AA05", "comprimé", (2.5, 5, 10),
         "mg", "mg", "PO", ("W_MORN", "F1D"), (MED,)),
    Drug("atorvastatine", "Atorvastatine, comprimé", "Atorvastatine", "C10AA05", "comprimé",
         (10, 20, 40, 80), "mg", "mg", "PO", ("W_EVE", "T20", "F1D"), (MED, CHIR), weight=2),
    Drug("amiodarone", "Amiodarone (Cordarone) 200 mg, comprimé sécable", "Amiodarone",
         "C01BD01", "comprimé sécable", (200,), "mg", "mg", "PO", ("W_NOON", "F1D"),
         (MED, USC)),
    # --- diabetes, endocrine --------------------------------------------------------------
    Drug("insuline-asparte", "Insuline asparte (NovoRapid) 100 UI/mL, stylo prérempli",
         "Insuline asparte", "A10AB05", "solution injectable", (4, 6, 8, 10), "UI", "[iU]",
         "SC", ("W_MORN_NOON_EVE", "T08_12_19"), (MED, USC, MAT, CHIR), weight=2,
         note=" avant les repas, adapter selon glycémie capillaire", family="insuline-rapide"),
    Drug("insuline-glargine", "Insuline glargine (Lantus) 100 UI/mL, stylo prérempli",
         "Insuline glargine", "A10AE04", "solution injectable", (10, 14, 18, 22, 26), "UI",
         "[iU]", "SC", ("T22", "W_HS", "W_EVE"), (MED, CHIR, USC), weight=1.5),
    Drug("metformine", "Metformine, comprimé pelliculé", "Metformine", "A10BA02", "comprimé",
         (500, 1000), "mg", "mg", "PO", ("W_MORN_EVE", "T08_20", "C_BID"), (MED, CHIR)),
    Drug("levothyroxine", "Lévothyroxine sodique (Lévothyrox), comprimé", "Lévothyroxine",
         "H03AA01", "comprimé", (50, 75, 100), "µg", "ug", "PO", ("W_MORN", "T06"),
         (MED, CHIR, MAT), note=", à jeun 30 min avant le petit-déjeuner"),
    Drug("prednisolone", "Prednisolone (Solupred), comprimé orodispersible", "Prednisolone",
         "H02AB06", "comprimé orodispersible", (20, 40), "mg", "mg", "PO", ("W_MORN", "T08"),
         (MED,), days=5, family="corticoide"),
    Drug("methylprednisolone", "Méthylprednisolone (Solumédrol), poudre pour solution injectable",
         "Méthylprednisolone", "H02AB04", "poudre pour solution injectable", (40, 80), "mg",
         "mg", "IV", ("T08", "F1D"), (USC,), days=5, family="corticoide"),
    Drug("dexamethasone", "Dexaméthasone 4 mg/mL, solution injectable", "Dexaméthasone",
         "H02AB02", "solution injectable", (4, 8), "mg", "mg", "IV", ("N1", "T08"),
         (CHIR, MED), family="corticoide"),
    # --- digestive ------------------------------------------------------------------------
    Drug("pantoprazole", "Pantoprazole, comprimé gastrorésistant", "Pantoprazole", "A02BC02",
         "comprimé gastrorésistant", (20, 40), "mg", "mg", "PO", ("W_MORN", "T08", "F1D"),
         ADULT_WARDS, weight=3, family="ipp"),
    Drug("pantoprazole-iv", "Pantoprazole 40 mg, poudre pour solution injectable",
         "Pantoprazole", "A02BC02", "poudre pour solution injectable", (40,), "mg", "mg", "IV",
         ("F1D", "T08", "Q12H"), (USC, CHIR), family="ipp"),
    Drug("esomeprazole", "Ésoméprazole (Inexium) 20 mg, gélule gastrorésistante",
         "Ésoméprazole", "A02BC05", "gélule gastrorésistante", (20,), "mg", "mg", "PO",
         ("W_MORN", "W_EVE"), (MED,), family="ipp"),
    Drug("ondansetron", "Ondansétron 4 mg/2 mL, solution injectable", "Ondansétron", "A04AA01",
         "solution injectable", (4,), "mg", "mg", "IV", ("PRN_Q8H", "C_Q8H", "Q8H"),
         (CHIR, MED, USC, MAT), weight=3, prn="si nausées ou vomissements",
         family="antiemetique"),
    Drug("metoclopramide", "Métoclopramide (Primpéran) 10 mg, comprimé", "Métoclopramide",
         "A03FA01", "comprimé", (10,), "mg", "mg", "PO", ("PRN_Q8H", "W_MORN_NOON_EVE", "C_TID"),
         (MED, CHIR), prn="si nausées", max_per_day=30, family="antiemetique"),
    Drug("macrogol", "Macrogol 4000 (Forlax) 10 g, poudre en sachet", "Macrogol 4000", "A06AD15",
         "poudre pour solution buvable en sachet", (10, 20), "g", "g", "PO",
         ("W_MORN", "F1D", "PRN_Q24H"), (MED, CHIR, MAT), weight=2, prn="si constipation",
         family="laxatif"),
    Drug("lactulose", "Lactulose 10 g/15 mL, solution buvable en sachet", "Lactulose", "A06AD11",
         "solution buvable", (10,), "g", "g", "PO", ("C_TID", "C_BID"), (MED,),
         family="laxatif"),
    # --- fluids, electrolytes --------------------------------------------------------------
    Drug("kcl-iv", "Chlorure de potassium 10 % (1 g/10 mL), solution à diluer pour perfusion",
         "Chlorure de potassium", "B05XA01", "solution à diluer pour perfusion", (1, 2), "g",
         "g", "IV", ("Q8H", "Q12H"), (MED, USC, CHIR), weight=1.5,
         note=" dilué dans 500 mL de NaCl 0,9 %, débit maximal 1 g/h", family="potassium"),
    Drug("kcl-po", "Chlorure de potassium (Diffu-K) 600 mg, gélule", "Chlorure de potassium",
         "A12BA01", "gélule", (600, 1200), "mg", "mg", "PO",
         ("W_MORN_NOON_EVE", "C_TID", "T08_20"), (MED,), family="potassium"),
    Drug("ringer-lactate", "Ringer lactate, solution pour perfusion, poche de 1000 mL",
         "Ringer lactate", "B05BB01", "solution pour perfusion", (500, 1000), "mL", "mL", "IV",
         ("CONT12", "CONT24"), (CHIR, USC, MAT), weight=2, family="solute"),
    Drug("nacl-iv", "Chlorure de sodium 0,9 %, solution pour perfusion, poche de 500 mL",
         "Chlorure de sodium", "B05XA03", "solution pour perfusion", (500,), "mL", "mL", "IV",
         ("CONT12", "CONT24"), (MED, USC), family="solute"),
    Drug("glucose-5", "Glucose 5 %, solution pour perfusion, poche de 1000 mL", "Glucose",
         "B05BA03", "solution pour perfusion", (1000,), "mL", "mL", "IV", ("CONT24",), (MED,),
         note=" + NaCl 4 g/L + KCl 2 g/L", family="solute"),
    Drug("magnesium", "Sulfate de magnésium 15 %, solution injectable", "Sulfate de magnésium",
         "B05XA05", "solution injectable", (2, 4), "g", "g", "IV", ("N1",), (MAT, USC),
         note=" en 20 min, surveiller réflexes et fréquence respiratoire"),
    # --- respiratory -------------------------------------------------------------------------
    Drug("salbutamol-neb", "Salbutamol 5 mg/2,5 mL, solution pour inhalation par nébuliseur",
         "Salbutamol", "R03AC02", "solution pour inhalation par nébuliseur", (5,), "mg", "mg",
         "INH", ("Q6H", "C_Q6H", "PRN_Q4H"), (MED, USC), prn="si dyspnée ou sibilants",
         family="salbutamol"),
    Drug("salbutamol-inh", "Salbutamol (Ventoline) 100 µg/dose, suspension pour inhalation",
         "Salbutamol", "R03AC02", "suspension pour inhalation en flacon pressurisé", (2,),
         "bouffées", "{puff}", "INH", ("PRN_Q4H",), (MED, CHIR, MAT), prn="si gêne respiratoire",
         family="salbutamol"),
    Drug("ipratropium", "Ipratropium 0,5 mg/2 mL, solution pour inhalation par nébuliseur",
         "Ipratropium", "R03BB01", "solution pour inhalation par nébuliseur", (0.5,), "mg", "mg",
         "INH", ("Q8H", "C_TID"), (MED, USC)),
    # --- oncology, neurology, misc ---------------------------------------------------------
    Drug("cyclophosphamide", "Cyclophosphamide (Endoxan) 1000 mg, poudre pour solution "
         "injectable", "Cyclophosphamide", "L01AA01", "poudre pour solution injectable",
         (750, 1000, 1200), "mg", "mg", "IV", ("N1",), (MED,), weight=0.7,
         note=" en 1 h dans 250 mL de NaCl 0,9 %, selon protocole de chimiothérapie"),
    Drug("zopiclone", "Zopiclone, comprimé", "Zopiclone", "N05CF01", "comprimé", (3.75, 7.5),
         "mg", "mg", "PO", ("W_HS", "PRN_HS"), (MED, CHIR), prn="si insomnie",
         family="hypnotique"),
    Drug("oxazepam", "Oxazépam (Séresta) 10 mg, comprimé", "Oxazépam", "N05BA04", "comprimé",
         (10,), "mg", "mg", "PO", ("PRN_Q8H", "W_HS"), (MED,), prn="si anxiété",
         family="hypnotique"),
    Drug("thiamine", "Thiamine (vitamine B1) 250 mg, comprimé", "Thiamine", "A11DA01",
         "comprimé", (250,), "mg", "mg", "PO", ("W_MORN", "F1D"), (MED,)),
    Drug("allopurinol", "Allopurinol, comprimé", "Allopurinol", "M04AA01", "comprimé",
         (100, 200, 300), "mg", "mg", "PO", ("W_MORN", "F1D"), (MED,)),
    # --- maternity ---------------------------------------------------------------------------
    Drug("ocytocine", "Ocytocine (Syntocinon) 5 UI/mL, solution injectable", "Ocytocine",
         "H01BB02", "solution injectable", (5, 10), "UI", "[iU]", "IV", ("N1",), (MAT,),
         weight=2, note=" en perfusion lente dans 500 mL de Ringer lactate"),
    Drug("sulfate-ferreux", "Sulfate ferreux (Tardyféron) 80 mg, comprimé pelliculé",
         "Sulfate ferreux", "B03AA07", "comprimé pelliculé", (80,), "mg", "mg", "PO",
         ("W_MORN", "W_NOON"), (MAT, MED), weight=1.5),
    Drug("anti-d", "Immunoglobuline humaine anti-D (Rhophylac) 200 µg/2 mL", "Immunoglobuline "
         "anti-D", "J06BB01", "solution injectable en seringue", (200,), "µg", "ug", "IV",
         ("N1",), (MAT,), weight=0.7),
    Drug("nicardipine", "Nicardipine (Loxen) 20 mg, comprimé", "Nicardipine", "C08CA04",
         "comprimé", (20,), "mg", "mg", "PO", ("Q8H", "C_TID"), (MAT,), weight=0.7),
    # --- newborns ----------------------------------------------------------------------------
    Drug("phytomenadione", "Phytoménadione (vitamine K1) 2 mg/0,2 mL, solution buvable",
         "Phytoménadione", "B02BA01", "solution buvable", (2,), "mg", "mg", "PO", ("N1",), (NN,)),
    Drug("cholecalciferol", "Cholécalciférol (ZymaD) 10 000 UI/mL, solution buvable en gouttes",
         "Cholécalciférol", "A11CC05", "solution buvable", (400,), "UI", "[iU]", "PO",
         ("W_MORN", "F1D"), (NN,)),
    Drug("paracetamol-nn", "Paracétamol 2,4 % (Doliprane), suspension buvable pédiatrique",
         "Paracétamol", "N02BE01", "suspension buvable", (40, 50, 60), "mg", "mg", "PO",
         ("PRN_Q6H",), (NN,), prn="si douleur ou T° > 38 °C", family="paracetamol"),
    Drug("saccharose", "Saccharose 24 %, solution buvable", "Saccharose", None,
         "solution buvable", (0.5, 1), "mL", "mL", "PO", ("PRN_Q4H",), (NN,),
         prn="2 min avant un soin douloureux"),
    Drug("nacl-nasal", "Chlorure de sodium 0,9 % (sérum physiologique), unidose de 5 mL",
         "Chlorure de sodium", None, "solution pour instillation nasale", (1,), "dosette", None,
         "NAS", ("PRN_Q4H",), (NN,), prn="si encombrement nasal"),
    Drug("eosine", "Éosine aqueuse 2 %, solution pour application cutanée", "Éosine", None,
         "solution pour application cutanée", (1,), "application", None, "CUT",
         ("F2D", "C_BID"), (NN,), note=" (soins de cordon)"),
    Drug("amoxicilline-nn", "Amoxicilline, poudre pour solution injectable (néonatologie)",
         "Amoxicilline", "J01CA04", "poudre pour solution injectable", (150, 200), "mg", "mg",
         "IV", ("Q8H",), (NN,), days=3, note=", réévaluation à 48 h", family="penicilline"),
    Drug("gentamicine-nn", "Gentamicine 10 mg/mL, solution injectable", "Gentamicine",
         "J01GB03", "solution injectable", (12, 15), "mg", "mg", "IV", ("Q24H",), (NN,), days=3),
)
# fmt: on

BY_KEY: dict[str, Drug] = {drug.key: drug for drug in CATALOGUE}


def ward_pool(kind: str) -> tuple[Drug, ...]:
    """The drugs prescribed on one kind of ward, in catalogue order (stable for the seed)."""
    return tuple(drug for drug in CATALOGUE if kind in drug.wards)


# The one order written to stress the printed sheets: a real-world long product name and a
# long instruction that must wrap (or be cut visibly) on an A4 prescription sheet.
LONG_ORDER = Drug(
    "amox-clav-long",
    "Amoxicilline trihydratée / acide clavulanique (sous forme de clavulanate de potassium) "
    "2 g/200 mg, poudre pour solution injectable ou pour perfusion en flacon, à reconstituer "
    "avec 20 mL d'eau pour préparations injectables puis diluer dans 100 mL de NaCl 0,9 %",
    "Amoxicilline + acide clavulanique",
    "J01CR02",
    "poudre pour solution pour perfusion",
    (2,),
    "g",
    "g",
    "IV",
    ("Q8H",),
    (MED,),
    days=7,
    note=(
        " en perfusion de 30 minutes, à administrer à heure fixe (6 h, 14 h, 22 h), ne pas "
        "mélanger dans la même tubulure que les solutés glucosés ou contenant du bicarbonate, "
        "surveiller l'apparition d'une éruption cutanée, d'une diarrhée ou de signes "
        "d'allergie et prévenir le médecin de garde ; réévaluation de l'antibiothérapie à 48-72 h "
        "au vu de l'antibiogramme (hémocultures du 2e jour)"
    ),
    family="penicilline",
)
