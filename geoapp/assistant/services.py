"""Writes of l'assistant: loading the products index and the advice texts, the search log."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import connection, transaction
from django.utils.text import slugify

from geoapp.acteurs.models import CategorieObjet, SousCategorieObjet

from .models import ConseilFamille, Produit, Recherche, Synonyme

CONSEIL_CHAMPS = ("bon_etat", "abime", "reprise", "poubelle", "eviter")
# the index says an appliance is electric by its REP channel, its code or its sous-catégories' family
FILIERES_EEE = {"Equipements électriques et électroniques", "EEE"}
CODES_EEE = {"DEEE", "LAMPES", "GELECHORSFROID", "PA", "PETITMELANGE"}
FAMILLES_EEE = {"electromenager", "image_son_et_informatique"}


def _texte(value) -> str:
    return (value or "").strip()


def produit_index_load(*, index_path: Path, conseils_path: Path) -> dict[str, int]:
    """Create what is missing from `produits-index.json` (products by name, their synonyms) and
    `conseils.json` (advice texts per family and per product); fill only fields still empty.
    Staff's edits are never overwritten and nothing is deleted: loading twice changes nothing."""
    index = json.loads(index_path.read_text())
    conseils = json.loads(conseils_path.read_text())
    familles_eee = {sc.code for sc in SousCategorieObjet.objects.filter(categorie_id__in=FAMILLES_EEE)}
    poubelle_par_code = conseils.get("poubelle_par_code", {})
    known_sc = set(SousCategorieObjet.objects.values_list("code", flat=True))
    report = {"produits_crees": 0, "synonymes_crees": 0, "conseils_remplis": 0}
    with transaction.atomic():
        existing = {p.nom: p for p in Produit.objects.all()}
        slugs = {p.slug for p in existing.values()}
        nouveaux, codes_par_nom = [], {}
        for row in index:
            if row["nom"] in existing:
                continue
            slug = base = slugify(row["nom"])[:240] or "produit"
            n = 2
            while slug in slugs:
                slug, n = f"{base}-{n}", n + 1
            slugs.add(slug)
            codes = [c for c in dict.fromkeys(row.get("sous_categories") or []) if c in known_sc]
            codes_par_nom[row["nom"]] = codes
            nouveaux.append(Produit(
                nom=row["nom"], slug=slug, code=_texte(row.get("code")),
                filieres_rep=_texte(row.get("filieres_rep")), eco_organismes=_texte(row.get("eco_organismes")),
                reprise_distributeur=(_texte(row.get("filieres_rep")) in FILIERES_EEE
                                      or row.get("code") in CODES_EEE or bool(set(codes) & familles_eee)),
                poubelle=poubelle_par_code.get(row.get("code") or "", "")))
        for produit in Produit.objects.bulk_create(nouveaux):  # no history row: not a staff edit
            existing[produit.nom] = produit
        Through = Produit.sous_categories.through
        Through.objects.bulk_create([Through(produit_id=existing[nom].pk, souscategorieobjet_id=code)
                                     for nom, codes in codes_par_nom.items() for code in codes])
        report["produits_crees"] = len(nouveaux)
        have = set(Synonyme.objects.values_list("produit_id", "nom"))
        synonymes = []
        for row in index:
            produit = existing[row["nom"]]
            for nom in dict.fromkeys([row["nom"], *(row.get("synonymes") or [])]):  # its name first
                if nom.strip() and (produit.pk, nom) not in have:
                    have.add((produit.pk, nom))
                    synonymes.append(Synonyme(produit=produit, nom=nom))
        Synonyme.objects.bulk_create(synonymes)
        report["synonymes_crees"] = len(synonymes)
        for code, textes in conseils.get("familles", {}).items():
            if not CategorieObjet.objects.filter(code=code).exists():
                continue
            conseil, _ = ConseilFamille.objects.get_or_create(categorie_id=code)
            report["conseils_remplis"] += _fill(conseil, textes)
        for nom, textes in conseils.get("produits", {}).items():
            if nom in existing:
                report["conseils_remplis"] += _fill(existing[nom], textes)
    with connection.cursor() as cursor:  # the search's plans need the tables' statistics
        cursor.execute("ANALYZE assistant_produit, assistant_synonyme, assistant_produit_sous_categories")
    from .signals import produit_generation_avancer

    transaction.on_commit(produit_generation_avancer)  # bulk writes send no signal: the cached searches end here
    return report


def _fill(obj, textes: dict) -> int:
    empty = {k: v for k, v in textes.items() if k in CONSEIL_CHAMPS and v and not getattr(obj, k)}
    if not empty:
        return 0
    for k, v in empty.items():
        setattr(obj, k, v)
    obj.save(update_fields=[*empty, *(["modifie_le"] if isinstance(obj, Produit) else [])])
    return 1


def recherche_record(*, texte: str, nombre_resultats: int, produit: Produit | None = None,
                     rang: int | None = None) -> Recherche:
    """Log one search (its text, how many products it found, the one chosen and its rank)."""
    return Recherche.objects.create(texte=texte[:255], nombre_resultats=min(nombre_resultats, 32767),
                                    produit=produit, rang=rang)


def recherche_choix_record(*, recherche_id: int, produit: Produit, rang: int) -> bool:
    """The citizen chose `produit` at `rang` among the results of a logged search: recorded once."""
    return bool(Recherche.objects.filter(pk=recherche_id, produit__isnull=True).update(produit=produit, rang=rang))
