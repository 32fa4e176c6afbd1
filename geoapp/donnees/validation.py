"""The open-data CSV validated against its Table Schema by frictionless, in parallel: the file cut
at record boundaries into one part per core (a header each), each part validated in its own
process, the primary key checked unique across the parts. Pure (no Django): the processes only
import this module and frictionless."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ERREURS_MAX = 20


@dataclass
class Validation:
    lignes: int = 0
    erreurs: list[str] = field(default_factory=list)

    @property
    def valide(self) -> bool:
        return not self.erreurs


def csv_decouper(*, chemin: Path, parties: int, dossier: Path) -> list[tuple[Path, int]]:
    """Cut `chemin` into at most `parts` files of about the same size, each starting with the
    header, never inside a quoted field (a line break inside quotes belongs to its record). Returns
    (part, number of its first data row in the whole file, from 1)."""
    taille = chemin.stat().st_size
    cible = max(1, taille // max(1, parties))
    sorties: list[tuple[Path, int]] = []
    with chemin.open("rb") as f:
        entete = f.readline()
        sortie, ecrits, numero, dans_guillemets = None, 0, 1, False
        for ligne in f:
            if sortie is None or (not dans_guillemets and ecrits >= cible and len(sorties) < parties):
                if sortie is not None:
                    sortie.close()
                partie = dossier / f"partie-{len(sorties):02d}.csv"
                sortie = partie.open("wb")
                sortie.write(entete)
                sorties.append((partie, numero))
                ecrits = 0
            sortie.write(ligne)
            ecrits += len(ligne)
            if ligne.count(b'"') % 2:
                dans_guillemets = not dans_guillemets
            if not dans_guillemets:
                numero += 1
        if sortie is not None:
            sortie.close()
    return sorties


def csv_partie_valider(chemin: str, schema: dict, premiere: int) -> tuple[int, list[str]]:
    """One part: its rows and its first errors, their row numbers in the whole file."""
    from frictionless import Resource, Schema, system

    with system.use_context(trusted=True):
        rapport = Resource(path=chemin, schema=Schema.from_descriptor(schema), format="csv",
                           encoding="utf-8").validate(limit_errors=ERREURS_MAX)
    erreurs = []
    for task in rapport.tasks:
        for e in task.errors:
            d = e.to_descriptor()
            ligne = d.get("rowNumber")
            # frictionless's row numbers (the header is row 1), in the whole file
            ligne = ligne + premiere - 1 if isinstance(ligne, int) else ligne
            erreurs.append(f"ligne {ligne}, champ {d.get('fieldName')}: {d.get('message')}")
    erreurs += [e.message for e in rapport.errors]
    return (rapport.tasks[0].stats["rows"] if rapport.tasks else 0), erreurs


def cle_doublons(*, chemin: Path, colonnes: list[str]) -> list[str]:
    """The values of the primary key `colonnes` found more than once in the whole CSV."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    table = csv.read_csv(chemin, convert_options=csv.ConvertOptions(
        include_columns=colonnes, column_types={c: pa.string() for c in colonnes}),
        parse_options=csv.ParseOptions(newlines_in_values=True))
    cle = table.column(colonnes[0]) if len(colonnes) == 1 else pc.binary_join_element_wise(
        *[table.column(c) for c in colonnes], "\x1f")
    comptes = pc.value_counts(cle)
    doublons = comptes.filter(pc.greater(comptes.field("counts"), 1))
    return [str(v) for v in doublons.field("values").to_pylist()[:ERREURS_MAX]]


def csv_valider(*, chemin: Path, schema: dict, parties: int, dossier: Path) -> Validation:
    """The whole CSV against `schema`: `parties` processes (1: in this one, uncut)."""
    resultat = Validation()
    if parties <= 1:
        resultat.lignes, resultat.erreurs = csv_partie_valider(str(chemin), schema, 1)
    else:
        morceaux = csv_decouper(chemin=chemin, parties=parties, dossier=dossier)
        # spawn: a fresh interpreter (no copy of the caller's connections and threads)
        with ProcessPoolExecutor(max_workers=len(morceaux), mp_context=multiprocessing.get_context("spawn")) as pool:
            for lignes, erreurs in pool.map(csv_partie_valider, [str(p) for p, _ in morceaux],
                                            [schema] * len(morceaux), [n for _, n in morceaux]):
                resultat.lignes += lignes
                resultat.erreurs += erreurs
        for partie, _ in morceaux:
            partie.unlink()
        cle = schema.get("primaryKey")
        if cle:
            colonnes = [cle] if isinstance(cle, str) else list(cle)
            resultat.erreurs += [f"clé primaire {colonnes} en double : {v}"
                                 for v in cle_doublons(chemin=chemin, colonnes=colonnes)]
    resultat.erreurs = resultat.erreurs[:ERREURS_MAX]
    return resultat
