"""Reads: the current imported acteurs of some sources as lignes, runs, suggestions, and the acteurs
as displayed that the enrichments compare with."""

from __future__ import annotations

from django.db import connection

from geoapp.acteurs.models import Acteur

from .lignes import ligne_canonique
from .models import ExecutionSource, GroupeSuggestion, StatutExecution, StatutSuggestion

_LIGNES_SQL = """
SELECT a.identifiant_unique, a.identifiant_externe, a.source_id, a.acteur_type_id, a.nom, a.nom_commercial,
       a.nom_officiel, a.description, a.siren, a.siret, a.naf_principal, a.adresse, a.adresse_complement,
       a.code_postal, a.ville, a.url, a.email, a.telephone, a.horaires_osm, a.horaires_description,
       a.public_accueilli, a.reprise, a.lieu_prestation, a.statut, a.exclusivite_de_reprisereparation,
       a.uniquement_sur_rdv, ST_X(a.location::geometry), ST_Y(a.location::geometry),
       (SELECT array_agg(l.labelqualite_id) FROM acteurs_acteur_labels l WHERE l.acteur_id = a.identifiant_unique),
       (SELECT array_agg(s.acteurservice_id) FROM acteurs_acteur_acteur_services s
         WHERE s.acteur_id = a.identifiant_unique),
       (SELECT json_agg(json_build_object('action', p.action_id, 'sous_categories',
                 (SELECT coalesce(array_agg(ps.souscategorieobjet_id), '{}')
                  FROM acteurs_propositionservice_sous_categories ps WHERE ps.propositionservice_id = p.id)))
        FROM acteurs_propositionservice p WHERE p.acteur_id = a.identifiant_unique),
       a.perimetre_rayon_km, a.perimetre_departements
FROM acteurs_acteur a
WHERE a.source_id = ANY(%s)
"""
_LIGNES_SQL_IDENTIFIANTS = _LIGNES_SQL + " AND a.identifiant_unique = ANY(%s)"

_TEXT = ("identifiant_externe", "source", "acteur_type", "nom", "nom_commercial", "nom_officiel", "description",
         "siren", "siret", "naf_principal", "adresse", "adresse_complement", "code_postal", "ville", "url", "email",
         "telephone", "horaires_osm", "horaires_description", "public_accueilli", "reprise", "lieu_prestation",
         "statut", "exclusivite_de_reprisereparation", "uniquement_sur_rdv")


def acteur_lignes_par_sources(*, source_codes: list[str], identifiants: list[str] | None = None) -> dict[str, dict]:
    """The imported acteurs of these sources (only `identifiants` when given), identifiant_unique
    → canonical ligne."""
    out: dict[str, dict] = {}
    with connection.cursor() as cursor:
        if identifiants is None:
            cursor.execute(_LIGNES_SQL, [list(source_codes)])
        else:
            cursor.execute(_LIGNES_SQL_IDENTIFIANTS, [list(source_codes), list(identifiants)])
        for row in cursor.fetchall():
            ligne = {"identifiant_unique": row[0], **dict(zip(_TEXT, row[1:26]))}
            ligne["location"] = [row[26], row[27]] if row[26] is not None else None
            ligne["labels"] = row[28] or []
            ligne["acteur_services"] = row[29] or []
            propositions = row[30]
            if isinstance(propositions, str):
                import json

                propositions = json.loads(propositions)
            ligne["propositions"] = propositions or []
            ligne["perimetre_rayon_km"], ligne["perimetre_departements"] = row[31], row[32] or []
            out[row[0]] = ligne_canonique(ligne)
    return out


def acteur_actifs_par_sources(*, source_codes: list[str]) -> dict[str, str]:
    """identifiant_unique → source code of the active imported acteurs of these sources."""
    return dict(Acteur.objects.filter(source_id__in=source_codes, statut="ACTIF")
                .values_list("identifiant_unique", "source_id"))


def acteur_modifie_le_par_sources(*, source_codes: list[str]) -> dict[str, int]:
    """identifiant_unique → modifie_le (µs since 1970) of the imported acteurs of these sources."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT identifiant_unique, (extract(epoch FROM modifie_le) * 1000000)::bigint "
                       "FROM acteurs_acteur WHERE source_id = ANY(%s)", [list(source_codes)])
        return dict(cursor.fetchall())


def identifiants_en_attente(*, source_codes: list[str]) -> set[str]:
    """Acteurs of these sources with a suggestion not applied (waiting, validated, rejected or in
    error): what the source says about them is not (yet) what they are."""
    return set(GroupeSuggestion.objects.filter(
        source_id__in=source_codes,
        statut__in=[StatutSuggestion.A_VALIDER, StatutSuggestion.VALIDEE, StatutSuggestion.REJETEE,
                    StatutSuggestion.ERREUR],
    ).values_list("identifiant_unique", flat=True))


def empreintes_en_attente(*, source_codes: list[str]) -> set[str]:
    """Fingerprints of proposals already made and not to be made again (waiting, validated or
    rejected by staff)."""
    return set(
        GroupeSuggestion.objects.filter(
            source_id__in=source_codes,
            statut__in=[StatutSuggestion.A_VALIDER, StatutSuggestion.VALIDEE, StatutSuggestion.REJETEE],
        ).values_list("empreinte", flat=True)
    )


def acteur_identifiants_du_flux(*, flux: str) -> set[str]:
    """The acteurs a source flow created (its applied ajout suggestions): the only ones its
    extract may delete."""
    return set(GroupeSuggestion.objects.filter(
        cohorte__execution__flux=flux, cohorte__type="ajout", statut=StatutSuggestion.APPLIQUEE,
    ).values_list("identifiant_unique", flat=True))


def execution_precedente_interrompue(*, flux: str, run_id: str) -> bool:
    """Whether the run of `flux` before `run_id` did not finish successfully (killed, failed)."""
    previous = (ExecutionSource.objects.filter(flux=flux).exclude(run_id=run_id)
                .exclude(statut=StatutExecution.REFUSEE).order_by("-debut")
                .values_list("statut", flat=True).first())
    return previous is not None and previous != StatutExecution.REUSSIE


# --- the acteurs as displayed, that the enrichments compare with -------------------------------------

_EFFECTIFS = ("nom", "siren", "siret", "adresse", "code_postal", "ville", "code_commune_insee", "statut")
_EFFECTIFS_SQL = f"""
SELECT a.identifiant_unique,
       {", ".join(f"COALESCE(NULLIF(r.{c}, ''), a.{c}, '')" for c in _EFFECTIFS)},
       ST_X(COALESCE(r.location, a.location)::geometry), ST_Y(COALESCE(r.location, a.location)::geometry),
       g.adresse, g.signale
FROM acteurs_acteur a
LEFT JOIN acteurs_revisionacteur r ON r.identifiant_unique = a.identifiant_unique
LEFT JOIN geocodage_geocodageacteur g ON g.acteur_id = a.identifiant_unique
WHERE COALESCE(NULLIF(r.statut, ''), a.statut) = 'ACTIF'{{filtre}}
ORDER BY a.identifiant_unique
"""
_CODE_POSTAL_PREFIXE = " AND COALESCE(NULLIF(r.code_postal, ''), a.code_postal, '') LIKE %s"


def acteurs_effectifs(*, code_postal_prefixe: str | None = None) -> list[dict]:
    """The active imported acteurs as displayed (a revision's non-empty value over the imported
    one): the values enrichments compare with; with `code_postal_prefixe`, only those whose postal
    code starts with it (a département's part reads its own). `location` is [lon, lat] or None;
    `adresse_geocodee` the address of their last geocoding (None: never geocoded) and
    `geocodage_signale` whether it was flagged."""
    with connection.cursor() as cursor:
        if code_postal_prefixe:
            cursor.execute(_EFFECTIFS_SQL.format(filtre=_CODE_POSTAL_PREFIXE), [code_postal_prefixe + "%"])
        else:
            cursor.execute(_EFFECTIFS_SQL.format(filtre=""))
        rows = cursor.fetchall()
    out = []
    for row in rows:
        acteur = {"identifiant_unique": row[0], **dict(zip(_EFFECTIFS, row[1:9]))}
        acteur["location"] = [round(row[9], 6), round(row[10], 6)] if row[9] is not None else None
        acteur["adresse_geocodee"], acteur["geocodage_signale"] = row[11], row[12]
        out.append(acteur)
    return out
