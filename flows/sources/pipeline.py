"""The stages every source flow shares, as plain functions (the Prefect tasks call them):
archive raw payloads, normalise + validate (quarantine), diff against the current imported
acteurs, write suggestions, report. Pure functions are tested without Prefect."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from psycopg.types.json import Jsonb

from geoapp.common.databases import warehouse_connect
from geoapp.suggestions.lignes import lignes_changements

from .clients.datafair import Payload
from .normalise import LigneRejetee
from .validation import Referentiels, ligne_valider

# --- raw archive ----------------------------------------------------------------------------------


def payloads_archive(*, run_id: str, flux: str, payloads: Iterable[Payload], start: int = 0) -> dict[str, int]:
    """Store every payload as fetched (bytes), committed one by one as they arrive."""
    n = records = 0
    with warehouse_connect(autocommit=True) as conn:
        for seq, p in enumerate(payloads, start=start):
            conn.execute(
                """INSERT INTO raw.source_payload (run_id, flux, seq, kind, url, body) VALUES (%s, %s, %s, %s, %s, %s)
                   ON CONFLICT (run_id, seq) DO UPDATE SET body = EXCLUDED.body, url = EXCLUDED.url""",
                [run_id, flux, seq, p.kind, p.url, p.body],
            )
            n += 1
            records += len(p.records or []) if p.kind == "page" else 0
    return {"payloads": n, "records": records}


def payloads_read(*, run_id: str) -> list[Payload]:
    with warehouse_connect() as conn:
        rows = conn.execute(
            "SELECT kind, url, body FROM raw.source_payload WHERE run_id = %s ORDER BY seq", [run_id]
        ).fetchall()
    return [Payload(kind, url, bytes(body)) for kind, url, body in rows]


# --- normalise + validate ---------------------------------------------------------------------------


@dataclass
class Normalisation:
    lignes: dict[str, dict] = field(default_factory=dict)
    quarantaine: list[tuple[int, dict, str, str | None]] = field(default_factory=list)  # numero, raw, raison, id
    inconnus: Counter = field(default_factory=Counter)
    recues: int = 0
    separees: int = 0

    @property
    def proteges(self) -> set[str]:
        """Acteurs never deleted by this run: their row was quarantined."""
        return {ident for *_, ident in self.quarantaine if ident}


def normaliser_tout(records: list[dict], *, normaliser: Callable[[dict], list[dict]],
                    referentiels: Referentiels | None, sources: set[str] | None,
                    champs_connus: frozenset | None = None) -> Normalisation:
    """Pure: every record → lignes or quarantine; nothing is lost (each ligne is accepted or
    quarantined, with its reason)."""
    out = Normalisation(recues=len(records))
    for numero, record in enumerate(records):
        if champs_connus is not None:
            out.inconnus.update(set(record) - champs_connus)
        try:
            lignes = normaliser(record)
        except LigneRejetee as exc:
            out.quarantaine.append((numero, record, exc.raison, exc.identifiant_unique))
            continue
        except Exception as exc:  # a rule that breaks on a strange value quarantines the row, not the run
            out.quarantaine.append((numero, record, f"erreur de normalisation : {type(exc).__name__}: {exc}", None))
            continue
        out.separees += max(0, len(lignes) - 1)
        for ligne in lignes:
            ident = ligne.get("identifiant_unique")
            try:
                canon = ligne_valider(ligne, referentiels=referentiels, sources=sources)
            except ValueError as exc:
                out.quarantaine.append((numero, record, str(exc), ident))
                continue
            if ident in out.lignes:
                out.quarantaine.append((numero, record, f"identifiant en double : {ident}", None))
                continue
            out.lignes[ident] = canon
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
            with cur.copy("COPY staging.source_ligne (run_id, identifiant_unique, ligne) FROM STDIN") as copy:
                for ident, ligne in resultat.lignes.items():
                    copy.write_row([run_id, ident, Jsonb(ligne)])


def staging_read(*, run_id: str) -> dict[str, dict]:
    with warehouse_connect() as conn:
        rows = conn.execute("SELECT identifiant_unique, ligne FROM staging.source_ligne WHERE run_id = %s",
                            [run_id]).fetchall()
    return {ident: (ligne if isinstance(ligne, dict) else json.loads(ligne)) for ident, ligne in rows}


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
                complet: bool = True, supprimables: set[str] | None = None) -> tuple[list[dict], dict[str, int]]:
    """Pure: proposals (ajout / modification / suppression) and counts per outcome. An acteur
    absent from a complete extract is proposed for deletion, unless its row was quarantined or it
    is not among `supprimables` (the acteurs this flux brought: a source code fed by two datasets,
    e.g. ecosystem, never loses the other dataset's acteurs)."""
    propositions: list[dict] = []
    counts = Counter(created=0, updated=0, unchanged=0, deleted=0)
    for ident, nouvelle in nouvelles.items():
        actuelle = actuelles.get(ident)
        if actuelle is None:
            propositions.append({
                "type": "ajout", "identifiant_unique": ident, "source": nouvelle["source"], "donnees": nouvelle,
                "changements": {c: [None, v] for c, v in nouvelle.items()
                                if c != "identifiant_unique" and v not in (None, "", [])},
            })
            counts["created"] += 1
            continue
        changes = lignes_changements(actuelle=actuelle, nouvelle=nouvelle)
        if changes:
            propositions.append({"type": "modification", "identifiant_unique": ident, "source": nouvelle["source"],
                                 "donnees": nouvelle, "changements": {c: list(v) for c, v in changes.items()}})
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    if complet:
        for ident, actuelle in actuelles.items():
            if ident not in nouvelles and ident not in proteges and actuelle.get("statut") == "ACTIF" \
                    and (supprimables is None or ident in supprimables):
                propositions.append({"type": "suppression", "identifiant_unique": ident, "source": actuelle["source"],
                                     "donnees": {}, "changements": {"statut": ["ACTIF", "SUPPRIME"]}})
                counts["deleted"] += 1
    return propositions, dict(counts)


# --- report -----------------------------------------------------------------------------------------


def rapport_compteurs(*, normalisation: dict, diff: dict, ecrites: dict, appliquees: dict | None) -> dict:
    """Pure: the run's counts. created + updated + unchanged + quarantined == received (+ lignes
    split from one row, OCAB)."""
    return {
        "received": normalisation["recues"], "split": normalisation.get("separees", 0),
        "created": diff.get("created", 0), "updated": diff.get("updated", 0),
        "unchanged": diff.get("unchanged", 0), "quarantined": normalisation["quarantaine"],
        "deleted": diff.get("deleted", 0),
        "suggestions_written": sum(v for k, v in ecrites.items() if k != "deja_proposees"),
        "suggestions_already_waiting": ecrites.get("deja_proposees", 0),
        "applied": (appliquees or {}).get("appliquees", 0), "apply_errors": (appliquees or {}).get("erreurs", 0),
    }


def rapport_markdown(*, flux: str, run_id: str, compteurs: dict, raisons: list[tuple[str, int]],
                     inconnus: dict[str, int]) -> str:
    lines = [f"# Source {flux} — exécution {run_id}", "", "| résultat | lignes |", "|---|---:|"]
    for key in ("received", "split", "created", "updated", "unchanged", "quarantined", "deleted",
                "suggestions_written", "suggestions_already_waiting", "applied", "apply_errors"):
        lines.append(f"| {key} | {compteurs.get(key, 0)} |")
    total = compteurs["created"] + compteurs["updated"] + compteurs["unchanged"] + compteurs["quarantined"]
    lines += ["", f"created + updated + unchanged + quarantined = {total} = received + split "
              f"({compteurs['received'] + compteurs['split']})"]
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
