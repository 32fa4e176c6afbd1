"""The stages every source flow shares, as plain functions (the Prefect tasks call them):
archive raw payloads, normalise + validate (quarantine), diff against the current imported
acteurs, write suggestions, report. Pure functions are tested without Prefect."""

from __future__ import annotations

import gc
import hashlib
import json
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import orjson
from psycopg.types.json import Jsonb, set_json_loads

from geoapp.common.databases import warehouse_connect
from geoapp.common.jsonb import jsonb
from geoapp.suggestions.lignes import lignes_changements

from .clients.datafair import Payload
from .normalise import LigneRejetee
from .validation import Referentiels, lignes_valider

# --- memory ------------------------------------------------------------------------------------------


@contextmanager
def ramasse_miettes_suspendu() -> Iterator[None]:
    """Suspend Python's cyclic garbage collector for a run's stages. They build hundreds of
    thousands of small dicts and lists (records, lignes, proposals) without cycles, and each
    collection walks every object alive: measured, the collector took most of the time of
    normalise and of the diff. Reference counting still frees everything; the collector, on again
    after the run, picks up the few cycles (Prefect's, exceptions')."""
    if not gc.isenabled():  # the caller manages it
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()  # no gc.collect(): a full collection walks the whole process (~1 s per run)


# --- raw archive ----------------------------------------------------------------------------------


def payloads_archive(*, run_id: str, flux: str, payloads: Iterable[Payload], start: int = 0,
                     progression: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Store every payload as fetched, committed one by one as they arrive. A body identical to
    one already archived for the flux (same fingerprint) is stored as a reference to it.
    `progression(payloads, records)` is told after each payload."""
    n = records = 0
    with warehouse_connect(autocommit=True) as conn:
        for seq, p in enumerate(payloads, start=start):
            fp = hashlib.blake2b(p.body, digest_size=16).digest()
            known = conn.execute("SELECT 1 FROM raw.source_payload WHERE flux = %s AND body_empreinte = %s "
                                 "AND body IS NOT NULL AND NOT (run_id = %s AND seq = %s) LIMIT 1",
                                 [flux, fp, run_id, seq]).fetchone()
            conn.execute(
                """INSERT INTO raw.source_payload (run_id, flux, seq, kind, url, body, body_empreinte)
                   VALUES (%s, %s, %s, %s, %s, %s, %s)
                   ON CONFLICT (run_id, seq) DO UPDATE
                   SET body = EXCLUDED.body, url = EXCLUDED.url, body_empreinte = EXCLUDED.body_empreinte""",
                [run_id, flux, seq, p.kind, p.url, None if known else p.body, fp],
            )
            n += 1
            records += len(p.records or []) if p.kind == "page" else 0
            if progression is not None:
                progression(n, records)
    return {"payloads": n, "records": records}


def payloads_read(*, run_id: str) -> list[Payload]:
    with warehouse_connect() as conn:
        rows = conn.execute(
            """SELECT p.kind, p.url, coalesce(p.body, (
                   SELECT o.body FROM raw.source_payload o WHERE o.flux = p.flux
                   AND o.body_empreinte = p.body_empreinte AND o.body IS NOT NULL LIMIT 1))
               FROM raw.source_payload p WHERE p.run_id = %s ORDER BY p.seq""", [run_id]
        ).fetchall()
    return [Payload(kind, url, bytes(body)) for kind, url, body in rows]


# --- fingerprints of raw records (re-runs without change) -----------------------------------------

# Bump when a normalisation rule changes in a way the configuration does not show: every record is
# then normalised again once.
NORMALISATION_VERSION = "2"


def empreinte_sel(*, flux: str, regles: str) -> bytes:
    """Pure: what a record's fingerprint also depends on: the flux, its rules (configuration and
    mapping files, as text) and NORMALISATION_VERSION: new rules make every record new."""
    return hashlib.blake2b(f"{NORMALISATION_VERSION}|{flux}|{regles}".encode(), digest_size=16).digest()


def record_empreinte(record: dict, *, sel: bytes = b"") -> bytes:
    """Pure: 16-byte fingerprint of a raw record: blake2b of its canonical JSON (sorted keys)."""
    try:
        data = orjson.dumps(record, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:  # a value JSON does not know (Excel cells): its text
        data = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str).encode()
    h = hashlib.blake2b(sel, digest_size=16)
    h.update(data)
    return h.digest()


def empreintes_connues(*, flux: str, acteurs_modifie_le: dict[str, int]) -> dict[bytes, list[str]]:
    """Fingerprint → identifiants, for the records this flux last imported whose acteurs were not
    modified since (`acteurs_modifie_le`: the acteurs' current modifie_le, µs since 1970)."""
    par_empreinte: dict[bytes, list[str]] = {}
    invalides: set[bytes] = set()
    with warehouse_connect() as conn:
        rows = conn.execute("SELECT identifiant_unique, empreinte, acteur_modifie_us FROM staging.source_empreinte "
                            "WHERE flux = %s", [flux])
        for ident, fp, modifie_le in rows:
            if acteurs_modifie_le.get(ident) != modifie_le:
                invalides.add(fp)
            par_empreinte.setdefault(fp, []).append(ident)
    return {fp: idents for fp, idents in par_empreinte.items() if fp not in invalides}


def empreintes_enregistrer(*, flux: str, run_id: str, en_attente: set[str],
                           acteurs_modifie_le: dict[str, int]) -> int:
    """After a run: remember the fingerprint of the record each of its lignes came from, for the
    acteurs that now match it (not waiting for a decision: `en_attente`), with their modifie_le."""
    with warehouse_connect() as conn:
        staged = conn.execute("SELECT identifiant_unique, empreinte FROM staging.source_ligne WHERE run_id = %s "
                              "AND ligne IS NOT NULL AND empreinte IS NOT NULL", [run_id]).fetchall()
        rows = [(ident, fp, acteurs_modifie_le[ident]) for ident, fp in staged
                if ident not in en_attente and ident in acteurs_modifie_le]
        conn.execute("CREATE TEMP TABLE empreinte_run (identifiant_unique text, empreinte bytea, "
                     "acteur_modifie_us bigint) ON COMMIT DROP")
        with conn.cursor() as cur:
            with cur.copy("COPY empreinte_run FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        conn.execute("""INSERT INTO staging.source_empreinte (flux, identifiant_unique, empreinte, acteur_modifie_us)
                        SELECT %s, identifiant_unique, empreinte, acteur_modifie_us FROM empreinte_run
                        ON CONFLICT (flux, identifiant_unique) DO UPDATE
                        SET empreinte = EXCLUDED.empreinte, acteur_modifie_us = EXCLUDED.acteur_modifie_us""", [flux])
    return len(rows)


# --- extracts already seen (re-runs without change, without parsing) --------------------------------


def extrait_cle(*, run_id: str, sel: bytes) -> bytes | None:
    """The key of a run's extract: blake2b of the rules' salt and of its payloads' fingerprints, in
    order (None when a payload has none: archived before fingerprints)."""
    with warehouse_connect() as conn:
        rows = conn.execute("SELECT kind, body_empreinte FROM raw.source_payload WHERE run_id = %s ORDER BY seq",
                            [run_id]).fetchall()
    if not rows or any(fp is None for _, fp in rows):
        return None
    h = hashlib.blake2b(sel, digest_size=16)
    for kind, fp in rows:
        h.update(kind.encode() + b"|" + bytes(fp))
    return h.digest()


def extrait_lire(*, flux: str, cle: bytes) -> tuple[list[bytes], dict[str, int]] | None:
    """The records' fingerprints (in order) and unknown fields of the flux's last normalised
    extract, when it had this key."""
    with warehouse_connect() as conn:
        row = conn.execute("SELECT empreintes, inconnus FROM staging.source_extrait WHERE flux = %s AND cle = %s",
                           [flux, cle]).fetchone()
    if row is None:
        return None
    data = bytes(row[0])
    return [data[i:i + 16] for i in range(0, len(data), 16)], dict(row[1] or {})


def extrait_enregistrer(*, flux: str, cle: bytes, empreintes: list[bytes], inconnus: dict[str, int]) -> None:
    with warehouse_connect() as conn:
        conn.execute("""INSERT INTO staging.source_extrait (flux, cle, empreintes, inconnus) VALUES (%s, %s, %s, %s)
                        ON CONFLICT (flux) DO UPDATE SET cle = EXCLUDED.cle, empreintes = EXCLUDED.empreintes,
                        inconnus = EXCLUDED.inconnus""", [flux, cle, b"".join(empreintes), Jsonb(dict(inconnus))])


def normalisation_connue(*, empreintes: list[bytes], connues: dict[bytes, list[str]],
                         inconnus: dict[str, int]) -> Normalisation | None:
    """Pure: what `normaliser_tout` gives for records of these fingerprints when every one is
    known (and no two are the same): all unchanged, nothing to parse. None otherwise."""
    if len(set(empreintes)) != len(empreintes) or not all(fp in connues for fp in empreintes):
        return None
    out = Normalisation(recues=len(empreintes), inconnus=Counter(inconnus))
    for fp in empreintes:
        idents = connues[fp]
        out.inchangees += idents
        out.separees += max(0, len(idents) - 1)
    return out


# --- normalise + validate ---------------------------------------------------------------------------


VALIDATION_PAR = 5000  # lignes validated per pydantic call


@dataclass
class Normalisation:
    lignes: dict[str, dict] = field(default_factory=dict)
    quarantaine: list[tuple[int, dict, str, str | None]] = field(default_factory=list)  # numero, raw, raison, id
    inconnus: Counter = field(default_factory=Counter)
    recues: int = 0
    separees: int = 0
    inchangees: list[str] = field(default_factory=list)  # acteurs of records known unchanged (not normalised)
    empreintes: dict[str, bytes] = field(default_factory=dict)  # identifiant → fingerprint of its record

    @property
    def proteges(self) -> set[str]:
        """Acteurs never deleted by this run: their row was quarantined."""
        return {ident for *_, ident in self.quarantaine if ident}


def normaliser_tout(records: list[dict], *, normaliser: Callable[[dict], list[dict]],
                    referentiels: Referentiels | None, sources: set[str] | None,
                    champs_connus: frozenset | None = None, empreintes: list[bytes] | None = None,
                    connues: dict[bytes, list[str]] | None = None,
                    identifiant: Callable[[dict], str | None] | None = None) -> Normalisation:
    """Pure: every record → lignes or quarantine, or unchanged; nothing is lost (each ligne is
    accepted or quarantined, with its reason). `empreintes`: each record's fingerprint; `connues`:
    fingerprint → acteurs already imported from that very record: such a record is not normalised
    again, its acteurs count as unchanged. `identifiant`: a record → its acteur's identifiant when
    it can be read, kept with a row the normaliser refused without one (so that it protects its
    acteur from deletion)."""

    def lu(record: dict) -> str | None:
        return identifiant(record) if identifiant is not None else None

    out = Normalisation(recues=len(records))
    connues = dict(connues or {})
    inchanges: set[str] = set()
    # numero, record, ligne, fingerprint, whether its acteur was already counted unchanged
    a_valider: list[tuple[int, dict, dict, bytes | None, bool]] = []

    def valider() -> None:
        """The lignes waiting, validated in one pydantic call, then kept in their order (the first
        of two lignes with the same identifiant wins, the second is quarantined)."""
        resultats = lignes_valider([item[2] for item in a_valider], referentiels=referentiels, sources=sources)
        for (numero, record, ligne, fp, deja_inchange), canon in zip(a_valider, resultats):
            ident = ligne.get("identifiant_unique")
            if isinstance(canon, str):
                out.quarantaine.append((numero, record, canon, ident))
            elif ident in out.lignes or deja_inchange:
                out.quarantaine.append((numero, record, f"identifiant en double : {ident}", None))
            else:
                out.lignes[ident] = canon
                if fp is not None:
                    out.empreintes[ident] = fp
        a_valider.clear()

    for numero, record in enumerate(records):
        if champs_connus is not None:
            out.inconnus.update(set(record) - champs_connus)
        fp = empreintes[numero] if empreintes is not None else None
        if fp is not None and fp in connues:
            idents = connues.pop(fp)  # a second identical record is normalised, then found a duplicate
            out.inchangees += idents
            inchanges.update(idents)
            out.separees += max(0, len(idents) - 1)
            continue
        try:
            lignes = normaliser(record)
        except LigneRejetee as exc:
            out.quarantaine.append((numero, record, exc.raison, exc.identifiant_unique or lu(record)))
            continue
        except Exception as exc:  # a rule that breaks on a strange value quarantines the row, not the run
            out.quarantaine.append((numero, record, f"erreur de normalisation : {type(exc).__name__}: {exc}",
                                    lu(record)))
            continue
        out.separees += max(0, len(lignes) - 1)
        a_valider += [(numero, record, ligne, fp, ligne.get("identifiant_unique") in inchanges) for ligne in lignes]
        if len(a_valider) >= VALIDATION_PAR:
            valider()
    valider()
    out.quarantaine.sort(key=lambda q: q[0])  # in the order of the records, as one by one
    return out


def normalisation_write(*, run_id: str, flux: str, resultat: Normalisation) -> None:
    """Quarantined rows and normalised lignes of the run, replaced as a whole (rerun-safe)."""
    with warehouse_connect() as conn:
        conn.execute("DELETE FROM raw.quarantaine WHERE run_id = %s", [run_id])
        conn.execute("DELETE FROM staging.source_ligne WHERE run_id = %s", [run_id])
        with conn.cursor() as cur:
            with cur.copy("COPY raw.quarantaine (flux, run_id, numero, identifiant_unique, ligne, raison) FROM STDIN") as copy:
                for numero, record, raison, ident in resultat.quarantaine:
                    copy.write_row([flux, run_id, numero, ident, Jsonb(record), raison])
            with cur.copy("COPY staging.source_ligne (run_id, identifiant_unique, ligne, empreinte) FROM STDIN") as copy:
                for ident, ligne in resultat.lignes.items():  # canonical lignes: plain JSON, orjson writes them
                    copy.write_row([run_id, ident, jsonb(ligne), resultat.empreintes.get(ident)])
                for ident in resultat.inchangees:
                    copy.write_row([run_id, ident, None, None])


def staging_read(*, run_id: str) -> dict[str, dict]:
    """The run's normalised lignes (records that changed or are new)."""
    with warehouse_connect() as conn:
        set_json_loads(orjson.loads, conn)
        rows = conn.execute("SELECT identifiant_unique, ligne FROM staging.source_ligne WHERE run_id = %s "
                            "AND ligne IS NOT NULL", [run_id]).fetchall()
    return {ident: (ligne if isinstance(ligne, dict) else json.loads(ligne)) for ident, ligne in rows}


def staging_inchanges(*, run_id: str) -> set[str]:
    """The acteurs of the run's records known unchanged (present in the extract, not normalised)."""
    with warehouse_connect() as conn:
        rows = conn.execute("SELECT identifiant_unique FROM staging.source_ligne WHERE run_id = %s "
                            "AND ligne IS NULL", [run_id]).fetchall()
    return {r[0] for r in rows}


def quarantaine_read(*, run_id: str) -> list[dict]:
    with warehouse_connect() as conn:
        rows = conn.execute(
            "SELECT numero, identifiant_unique, ligne, raison FROM raw.quarantaine WHERE run_id = %s ORDER BY numero",
            [run_id]).fetchall()
    return [{"numero": n, "identifiant_unique": i, "ligne": l, "raison": r} for n, i, l, r in rows]


def quarantaine_proteges(*, run_id: str) -> set[str]:
    with warehouse_connect() as conn:
        rows = conn.execute("SELECT DISTINCT identifiant_unique FROM raw.quarantaine WHERE run_id = %s "
                            "AND identifiant_unique IS NOT NULL", [run_id]).fetchall()
    return {r[0] for r in rows}


# --- diff -------------------------------------------------------------------------------------------


def diff_lignes(*, actuelles: dict[str, dict], nouvelles: dict[str, dict], proteges: set[str],
                complet: bool = True, supprimables: set[str] | None = None, inchanges: set[str] = frozenset(),
                actifs: dict[str, str] | None = None) -> tuple[list[dict], dict[str, int]]:
    """Pure: proposals (ajout / modification / suppression) and counts per outcome (`ajouts`,
    `modifications`, `inchanges`, `suppressions`, and `proteges`: absent acteurs not proposed for
    deletion because their row is in quarantine). An acteur
    absent from a complete extract is proposed for deletion, unless its row was quarantined or it
    is not among `supprimables` (the acteurs this flux brought: a source code fed by two datasets,
    e.g. ecosystem, never loses the other dataset's acteurs). `inchanges`: acteurs of records
    known unchanged (present, counted unchanged); `actifs`: identifiant → source of every active
    acteur of the sources, when `actuelles` holds only those of `nouvelles`."""
    propositions: list[dict] = []
    counts = Counter(ajouts=0, modifications=0, inchanges=0, suppressions=0, proteges=0)
    for ident, nouvelle in nouvelles.items():
        actuelle = actuelles.get(ident)
        if actuelle is None:
            propositions.append({
                "type": "ajout", "identifiant_unique": ident, "source": nouvelle["source"], "donnees": nouvelle,
                "changements": {c: [None, v] for c, v in nouvelle.items()
                                if c != "identifiant_unique" and v not in (None, "", [])},
            })
            counts["ajouts"] += 1
            continue
        changes = lignes_changements(actuelle=actuelle, nouvelle=nouvelle)
        if changes:
            propositions.append({"type": "modification", "identifiant_unique": ident, "source": nouvelle["source"],
                                 "donnees": nouvelle, "changements": {c: list(v) for c, v in changes.items()}})
            counts["modifications"] += 1
        else:
            counts["inchanges"] += 1
    counts["inchanges"] += len(inchanges)
    if actifs is None:
        actifs = {i: a["source"] for i, a in actuelles.items() if a.get("statut") == "ACTIF"}
    if complet:
        for ident, source in actifs.items():
            if ident in nouvelles or ident in inchanges or (supprimables is not None and ident not in supprimables):
                continue
            if ident in proteges:
                counts["proteges"] += 1
            else:
                propositions.append({"type": "suppression", "identifiant_unique": ident, "source": source,
                                     "donnees": {}, "changements": {"statut": ["ACTIF", "SUPPRIME"]}})
                counts["suppressions"] += 1
    return propositions, dict(counts)


def suppressions_massives(*, suppressions: int, actifs: int, part_max: float) -> bool:
    """Pure: whether a run's deletions are more than `part_max` of the sources' active acteurs:
    rather a broken or reshaped extract than that many closures, so staff decide."""
    return suppressions > 0 and suppressions > part_max * actifs


# --- report -----------------------------------------------------------------------------------------


# The counters of a run, in the order the report shows them: each is named once, by the stage that
# counts it (normalise: recues … quarantaine; diff: ajouts … proteges; writing the suggestions;
# applying), and keeps that name in the run registry and the report.
COMPTEURS = {
    "recues": "lignes reçues",
    "separees": "lignes en plus (une ligne OCAB par éco-organisme)",
    "ajouts": "acteurs à créer",
    "modifications": "acteurs à modifier",
    "inchanges": "acteurs inchangés",
    "inchanges_par_empreinte": "dont lignes identiques au dernier import (non relues)",
    "quarantaine": "lignes en quarantaine",
    "suppressions": "acteurs à supprimer (absents de l'extrait)",
    "proteges": "acteurs absents gardés (leur ligne est en quarantaine)",
    "suppressions_retenues": "suppressions laissées à valider (trop nombreuses)",
    "suggestions_ecrites": "suggestions écrites",
    "deja_proposees": "suggestions déjà en attente",
    "appliquees": "suggestions appliquées",
    "erreurs": "suggestions en erreur",
}


def rapport_compteurs(*, normalisation: dict, diff: dict, ecrites: dict, appliquees: dict | None,
                      suppressions_retenues: int = 0) -> dict:
    """Pure: the run's counts, under the names of the stages that counted them. ajouts +
    modifications + inchanges + quarantaine == recues (+ separees: lignes split from one row, OCAB)."""
    compteurs = {k: normalisation.get(k, 0) for k in ("recues", "separees", "inchanges_par_empreinte", "quarantaine")}
    compteurs.update({k: diff.get(k, 0) for k in ("ajouts", "modifications", "inchanges", "suppressions", "proteges")})
    compteurs.update({
        "suppressions_retenues": suppressions_retenues,
        "suggestions_ecrites": sum(v for k, v in ecrites.items() if k != "deja_proposees"),
        "deja_proposees": ecrites.get("deja_proposees", 0),
        "appliquees": (appliquees or {}).get("appliquees", 0), "erreurs": (appliquees or {}).get("erreurs", 0),
    })
    return {k: compteurs[k] for k in COMPTEURS}


def rapport_markdown(*, flux: str, run_id: str, compteurs: dict, raisons: list[tuple[str, int]],
                     inconnus: dict[str, int], part_max: float | None = None) -> str:
    lines = [f"# Source {flux} — exécution {run_id}", "", "| résultat | compteur | nombre |", "|---|---|---:|"]
    for key, libelle in COMPTEURS.items():
        lines.append(f"| {libelle} | `{key}` | {compteurs.get(key, 0)} |")
    total = compteurs["ajouts"] + compteurs["modifications"] + compteurs["inchanges"] + compteurs["quarantaine"]
    lines += ["", f"ajouts + modifications + inchanges + quarantaine = {total} = recues + separees "
              f"({compteurs['recues'] + compteurs['separees']})"]
    if compteurs.get("suppressions_retenues"):
        part = f" (plus de {part_max:.0%} de ses acteurs actifs)" if part_max is not None else ""
        lines += ["", "## Suppressions retenues", "",
                  f"Cette exécution propose de supprimer {compteurs['suppressions_retenues']} acteurs{part} : "
                  "un extrait coupé ou dont le format a changé ressemble à cela. Ces suppressions sont écrites "
                  "« à valider », quelle que soit la politique de la source : l'équipe décide."]
    if compteurs.get("proteges"):
        lines += ["", f"{compteurs['proteges']} acteurs absents de l'extrait valide ne sont pas supprimés : "
                  "leur ligne est en quarantaine (raisons ci-dessous)."]
    if raisons:
        lines += ["", "## Principales raisons de quarantaine", "", "| raison | lignes |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in raisons]
    if inconnus:
        lines += ["", "## Champs inconnus (gardés dans l'archive brute)", ""]
        lines += [f"- `{k}` : {n} lignes" for k, n in sorted(inconnus.items())]
    return "\n".join(lines)


def raisons_principales(quarantaine: list[tuple], n: int = 10) -> list[tuple[str, int]]:
    """Pure: the most frequent reasons, the variable part (after ' : ') folded."""
    return Counter(q[2].split(" : ")[0] for q in quarantaine).most_common(n)
