"""The allergy check knows drug classes: a penicillin allergy stops amoxicillin, not paracetamol."""

from __future__ import annotations

import pytest

from continuity.core.drug_classes import allergy_conflict


@pytest.mark.parametrize(
    ("drug", "code", "substance", "allergy_code", "why"),
    [
        ("Amoxicilline 1 g, comprimé dispersible", "J01CA04", "Pénicilline", None, "pénicillines"),
        ("Augmentin 1 g", None, "PENICILLINES", None, "pénicillines"),
        ("Pipéracilline-tazobactam 4 g", None, "Amoxicillin", "372687004", "pénicillines"),
        ("Benzathine 2,4 MUI", "J01CE08", "Allergy to penicillin", None, "pénicillines"),
        ("Kétoprofène 50 mg, gélule", "M01AE03", "AINS (anti-inflammatoires non stéroïdiens)",
         None, "AINS"),
        ("Ibuprofène 400 mg", None, "Aspirin", None, "AINS"),
        ("Bactrim forte", None, "Sulfamethoxazole / Trimethoprim", None, "sulfamides"),
        ("Bétadine dermique 10 %", None, "Iode / produits de contraste iodés", None,
         "produits iodés"),
        ("Enoxaparine 4000 UI", "B01AB05", "Héparine", None, "héparines"),
        ("Codéine 30 mg", None, "codeine", None, "codeine"),
        ("Morphine 10 mg", None, "Opiacés", None, "opioïdes"),
    ],
)  # fmt: skip
def test_an_allergy_fires_on_the_substance_and_its_class(drug, code, substance, allergy_code, why):
    assert allergy_conflict(drug, code, substance, allergy_code) == why


@pytest.mark.parametrize(
    ("drug", "code", "substance"),
    [
        ("Paracétamol 1 g, comprimé", "N02BE01", "Pénicilline"),
        ("Paracétamol 1 g, comprimé", "N02BE01", "Aspirine"),
        ("Morphine sulfate LP (Skenan)", "N02AA01", "Codéine"),  # intolerance is not a class
        ("Hydromorphone 4 mg", None, "Morphine"),
        ("Acide tranexamique 1 g", None, "Acide acétylsalicylique"),
        ("Vancomycine 1 g", "J01XA01", "Latex (substance)"),
        ("Furosémide 40 mg", None, "Tree nut (substance)"),
    ],
)
def test_an_allergy_does_not_fire_on_unrelated_drugs(drug, code, substance):
    assert allergy_conflict(drug, code, substance) is None
