"""Prefect tasks of the source flows, by stage: thin callers of `pipeline` (they receive names and
run ids, never connections, ORM objects or DataFrames). The driver `source_executer` is what each
flow calls."""

from __future__ import annotations

import logging
import re
import time

from django.conf import settings
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.states import Cancelled, State

from flows.progression import Progression
from flows.tuiles import precalculer_tuiles
from geoapp.suggestions import services as suggestions
from geoapp.suggestions.executions import (
    execution_finish,
    execution_refuser,
    execution_start,
    execution_verrou,
    executions_interrompues_marquer,
)
from geoapp.suggestions.selectors import (
    acteur_actifs_par_sources,
    acteur_identifiants_du_flux,
    acteur_lignes_par_sources,
    acteur_modifie_le_par_sources,
    execution_precedente_interrompue,
    identifiants_en_attente,
)

from . import pipeline
from .clients.http import HttpClient, SourceInjoignable
from .registre import spec_get
from .validation import Referentiels


def _retry_if_unreachable(task, task_run, state) -> bool:
    try:
        state.result()
    except SourceInjoignable:
        return True
    except Exception:
        return False
    return False


@task(name="télécharger et archiver", retries=1, retry_delay_seconds=2, retry_condition_fn=_retry_if_unreachable,
      cache_policy=NO_CACHE)
def telecharger(flux: str, run_id: str, base_url: str | None = None) -> dict:
    spec = spec_get(flux)
    progression = Progression(cle=f"telechargement-{flux}", description=f"Téléchargement de {flux}")
    with HttpClient.from_settings() as client:
        counts = pipeline.payloads_archive(
            run_id=run_id, flux=flux, payloads=spec.fetch(client, base_url or spec.base_url()),
            progression=lambda charges, lignes: progression.avancer(lignes, None, f"lignes reçues ({charges} charges)"))
    progression.terminer()
    get_run_logger().info("%s : %d charges utiles archivées, %d lignes reçues", flux, counts["payloads"],
                          counts["records"])
    return counts


@task(name="normaliser et valider", cache_policy=NO_CACHE)
def normaliser(flux: str, run_id: str, payload_run_id: str) -> dict:
    spec = spec_get(flux)
    sel = pipeline.empreinte_sel(flux=flux, regles=spec.regles())
    connues = pipeline.empreintes_connues(
        flux=flux, acteurs_modifie_le=acteur_modifie_le_par_sources(source_codes=list(spec.sources)))
    cle = pipeline.extrait_cle(run_id=payload_run_id, sel=sel)
    deja_vu = pipeline.extrait_lire(flux=flux, cle=cle) if cle else None
    # the same payloads as the last extract, every record known unchanged: nothing to parse
    resultat = pipeline.normalisation_connue(empreintes=deja_vu[0], connues=connues, inconnus=deja_vu[1]) \
        if deja_vu else None
    if resultat is None:
        records = spec.records(pipeline.payloads_read(run_id=payload_run_id))
        empreintes = [pipeline.record_empreinte(r, sel=sel) for r in records]
        resultat = pipeline.normaliser_tout(records, normaliser=spec.normaliser,
                                            referentiels=Referentiels.depuis_la_base(), sources=set(spec.sources),
                                            champs_connus=spec.champs_connus, empreintes=empreintes, connues=connues,
                                            identifiant=spec.identifiant)
        del records
        if cle:
            pipeline.extrait_enregistrer(flux=flux, cle=cle, empreintes=empreintes, inconnus=resultat.inconnus)
        del empreintes
    del connues
    pipeline.normalisation_write(run_id=run_id, flux=flux, resultat=resultat)
    raisons = pipeline.raisons_principales(resultat.quarantaine)
    logger = get_run_logger()
    logger.info("%s : %d lignes reçues, %d inchangées depuis le dernier import, %d valides, %d en quarantaine", flux,
                resultat.recues, len(resultat.inchangees), len(resultat.lignes), len(resultat.quarantaine))
    for raison, n in raisons:
        logger.info("quarantaine : %s (%d)", raison, n)
    if resultat.inconnus:
        logger.warning("champs inconnus (gardés dans l'archive) : %s", dict(resultat.inconnus))
    return {"recues": resultat.recues, "separees": resultat.separees, "valides": len(resultat.lignes),
            "inchanges_par_empreinte": len(resultat.inchangees),
            "quarantaine": len(resultat.quarantaine), "raisons": raisons, "inconnus": dict(resultat.inconnus)}


@task(name="comparer et écrire les suggestions", cache_policy=NO_CACHE)
def comparer(flux: str, run_id: str) -> dict:
    spec = spec_get(flux)
    nouvelles = pipeline.staging_read(run_id=run_id)
    actuelles = acteur_lignes_par_sources(source_codes=list(spec.sources), identifiants=list(nouvelles))
    actifs = acteur_actifs_par_sources(source_codes=list(spec.sources))
    propositions, counts = pipeline.diff_lignes(actuelles=actuelles, nouvelles=nouvelles,
                                                proteges=pipeline.quarantaine_proteges(run_id=run_id),
                                                complet=spec.complet,
                                                supprimables=acteur_identifiants_du_flux(flux=flux),
                                                inchanges=pipeline.staging_inchanges(run_id=run_id),
                                                actifs=actifs)
    logger = get_run_logger()
    retenir = pipeline.suppressions_massives(suppressions=counts["suppressions"], actifs=len(actifs),
                                             part_max=settings.SOURCES_SUPPRESSIONS_PART_MAX)
    if retenir:
        logger.warning("%s : %d suppressions pour %d acteurs actifs (plus de %.0f %%) : laissées à valider", flux,
                       counts["suppressions"], len(actifs), settings.SOURCES_SUPPRESSIONS_PART_MAX * 100)
    ecrites = suggestions.suggestions_write(run_id=run_id, propositions=propositions,
                                            suppressions_a_valider=retenir)
    logger.info("%s : %s ; suggestions %s", flux, counts, ecrites)
    return {"diff": counts, "ecrites": ecrites, "suppressions_retenues": counts["suppressions"] if retenir else 0}


@task(name="appliquer (politique auto)", cache_policy=NO_CACHE)
def appliquer(flux: str, run_id: str, refresh: bool = True) -> dict:
    spec = spec_get(flux)
    auto = [s for s in spec.sources if suggestions.politique_get(source_code=s) == "auto"]
    if not auto:
        return {"appliquees": 0, "erreurs": 0}
    progression = Progression(cle=f"application-{flux}", description=f"Application des suggestions de {flux}")
    result = suggestions.suggestions_apply(
        source_codes=auto, refresh=refresh,
        progression=lambda faits, total: progression.avancer(faits, total, "groupes appliqués"))
    progression.terminer()
    if refresh and not result["appliquees"] and execution_precedente_interrompue(flux=flux, run_id=run_id):
        # the previous run may have applied suggestions and died before the refresh
        from geoapp.acteurs.services import displayed_acteur_refresh

        result.update({f"affiches_{k}": v for k, v in displayed_acteur_refresh().items()})
    return result


def source_executer(*, flux: str, base_url: str | None = None, rejouer: str | None = None,
                    refresh: bool = True) -> dict | State:
    """One run of a source: registry entry, stages, report. Replaying (`rejouer=<run id>`) reads
    the payloads archived by that run instead of the network. While another run of the same flux
    is alive, the run is refused: it does nothing, the registry says `refusée`, and the flow run
    ends Cancelled with the reason."""
    spec = spec_get(flux)
    run_id = str(flow_run.get_id() or "") or __import__("uuid").uuid4().hex
    with execution_verrou(flux=flux) as seule:
        if not seule:  # another run of this source is alive: a second one must not write beside it
            message = f"refusée : une autre exécution de la source {flux} est en cours"
            execution_refuser(run_id=run_id, flux=flux, sources=list(spec.sources), message=message)
            get_run_logger().warning("%s", message)
            return Cancelled(message=message)
        execution_start(run_id=run_id, flux=flux, sources=list(spec.sources))
        # no other run of this source is alive: the ones left `en_cours` were killed
        interrompues = executions_interrompues_marquer(flux=flux, run_id=run_id)
        if interrompues:
            get_run_logger().warning("%s : %d exécution(s) précédente(s) interrompue(s)", flux, interrompues)
        with pipeline.ramasse_miettes_suspendu():
            return _executer(spec=spec, flux=flux, run_id=run_id, base_url=base_url, rejouer=rejouer,
                             refresh=refresh)


def _executer(*, spec, flux: str, run_id: str, base_url: str | None, rejouer: str | None, refresh: bool) -> dict:
    durees: dict[str, float] = {}
    clock = time.perf_counter
    try:
        t = clock()
        if not rejouer:
            telecharger(flux, run_id, base_url)
        durees["fetch"], t = clock() - t, clock()
        norm = normaliser(flux, run_id, rejouer or run_id)
        durees["normalise"], t = clock() - t, clock()
        diff = comparer(flux, run_id)
        durees["diff_suggestions"], t = clock() - t, clock()
        applied = appliquer(flux, run_id, refresh)
        if any(k.startswith("affiches_") for k in applied):  # a new publication: its low-zoom tiles ahead
            precalculer_tuiles()
        pipeline.empreintes_enregistrer(
            flux=flux, run_id=run_id, en_attente=identifiants_en_attente(source_codes=list(spec.sources)),
            acteurs_modifie_le=acteur_modifie_le_par_sources(source_codes=list(spec.sources)))
        durees["apply"] = clock() - t
        compteurs = pipeline.rapport_compteurs(normalisation=norm, diff=diff["diff"], ecrites=diff["ecrites"],
                                               appliquees=applied, suppressions_retenues=diff["suppressions_retenues"])
        compteurs["durees_s"] = {k: round(v, 3) for k, v in durees.items()}
        markdown = pipeline.rapport_markdown(flux=flux, run_id=run_id, compteurs=compteurs, raisons=norm["raisons"],
                                             inconnus=norm["inconnus"], part_max=settings.SOURCES_SUPPRESSIONS_PART_MAX)
        create_markdown_artifact(markdown=markdown, key="source-" + re.sub(r"[^a-z0-9]+", "-", flux.lower()).strip("-"),
                                 description=f"Rapport de la source {flux}")
        get_run_logger().info("%s", markdown)
        execution_finish(run_id=run_id, reussie=True, compteurs=compteurs)
        return compteurs
    except BaseException as exc:
        logging.getLogger(__name__).error("source %s : échec : %s", flux, exc)
        execution_finish(run_id=run_id, reussie=False, message=f"{type(exc).__name__}: {exc}")
        raise
