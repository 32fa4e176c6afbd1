"""Benchmark of the deduplication (flows/enrichissement/doublons.py): quality and speed.

    uv run python -m bench.dedoublonnage [--acteurs 500000] [--graine 1]

The labelled set, generated (seeded) and described here: places spread over France like its
population (the communes of the bundled referentials, a point drawn in each commune's box), each
published by 1 source (70 %), 2 (20 %) or 3 (10 %) of 8 sources, each copy with the variations
the real sources show: the name's case, accents and abbreviations ("Ets", "St", a legal form
added, words swapped), "bd" / "boulevard", "av" / "avenue", the SIRET missing in 40 % of the
copies, the phone written "01 23 45 67 89" / "+33 1 23 45 67 89" / missing, the e-mail or the
website missing, a word of the name left out, a typo, the house number missing (4 %), the coordinates 2
to 40 m apart (5 %: 60 to 150 m, geocoded to the street). Hard negatives: two different
shops at one address (2 % of places get a neighbour in the same building, 0–8 m away, another
name and SIRET), a chain's stores in one street (3 % of places are chain stores: same brand name,
same SIREN and website, other house numbers 20–250 m apart, sometimes the same national phone).
The truth: two acteurs are duplicates when they are copies of one place. Precision and recall
are counted on pairs (every pair inside a predicted cluster against every pair of copies).

Baseline, measured in the same run on the first `--base` acteurs (the service users have today:
TF-IDF on the names within a postal code and city, no typo tolerance): its precision, recall and
seconds, extrapolated quadratically per postal code as it scales.
Last line: `precision P recall R acteurs N secondes S memoire_mo M` (peak RSS of the process).
Targets: precision ≥ 0.97, recall ≥ 0.90; 500,000 acteurs in under 3 minutes and 4 GB on 2 cores.

`--dask 1,2`: then the scoring stage alone (the candidate pairs of the same acteurs), one process
(the baseline: what the flow did until now) against the flow's own task (`lot_scorer_tache`, lots
of `--lot` pairs) on a local Dask cluster of 1, then 2 worker processes (`prefect-dask`, Prefect
tasks reporting to a temporary Prefect server); prints seconds, pairs/s, the speed-up and whether
the scored pairs are those of one process."""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
import unicodedata
from collections import defaultdict
from itertools import combinations

from prefect import flow

SOURCES = ["cmareparacteur", "refashion", "ecomaison", "ecosystem", "soren", "aliapur", "pharmacies", "equipe"]
METIERS = ["Cordonnerie", "Boulangerie", "Atelier vélo", "Ressourcerie", "Repair Café", "Garage", "Pressing",
           "Couture et retouches", "Informatique", "Électroménager", "Bijouterie", "Horlogerie", "Librairie",
           "Friperie", "Dépôt-vente", "Menuiserie", "Tapisserie", "Pharmacie", "Opticien", "Matériel médical"]
PATRONYMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
              "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
              "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
              "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
              "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier",
              "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly"]
QUALIFICATIFS = ["du Centre", "de la Gare", "Saint-Michel", "des Halles", "du Marché", "Express", "Service",
                 "Plus", "et Fils", "Solidaire", "du Quartier", "Sainte-Anne", "de l'Église", ""]
ENSEIGNES = ["Cash Express", "Cordo Services", "Mister Minit", "Emmaüs Connect", "Envie", "La Recyclerie",
             "Point Service Mobiles", "Repar'Tout", "Cycles Décathlon", "Retoucherie de Paris"]
TYPES_VOIE = [("rue", "Rue", "r"), ("boulevard", "Boulevard", "bd"), ("avenue", "Avenue", "av"),
              ("place", "Place", "pl"), ("impasse", "Impasse", "imp"), ("chemin", "Chemin", "ch")]
NOMS_VOIE = ["Victor Hugo", "de la République", "Jean Jaurès", "Pasteur", "du Général de Gaulle", "Gambetta",
             "de la Liberté", "Carnot", "Voltaire", "des Écoles", "Saint-Martin", "de la Paix", "Jules Ferry",
             "du Maréchal Foch", "de Verdun", "Émile Zola", "de Paris", "Nationale", "du Moulin", "des Lilas",
             "Sainte-Catherine", "de la Mairie", "Denfert-Rochereau", "Édouard Vaillant", "Anatole France"]
FORMES = ["SARL", "SAS", "EURL", "Ets", ""]


def _sans_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def _nom_varier(nom: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.2:
        nom = nom.upper()
    elif r < 0.35:
        nom = _sans_accents(nom).lower()
    elif r < 0.45:
        nom = nom.replace("Saint", "St").replace("Sainte", "Ste").replace("Établissements", "Ets")
    if rng.random() < 0.15:
        nom = f"{rng.choice(FORMES[:3])} {nom}"
    if rng.random() < 0.08:
        mots = nom.split()
        if len(mots) >= 2:
            mots[0], mots[-1] = mots[-1], mots[0]
            nom = " ".join(mots)
    if rng.random() < 0.08:  # a word left out (the trade, or the qualifier)
        mots = nom.split()
        if len(mots) >= 3:
            del mots[rng.choice([0, len(mots) - 1])]
            nom = " ".join(mots)
    if rng.random() < 0.05 and len(nom) > 6:  # a typo
        i = rng.randrange(1, len(nom) - 1)
        nom = nom[:i] + nom[i + 1:]
    return nom


def _adresse(numero: int, voie: tuple[str, str], rng: random.Random, varier: bool) -> str:
    (_, type_long, type_court), nom = voie
    if not varier:
        return f"{numero} {type_long} {nom}"
    t = type_court if rng.random() < 0.35 else type_long
    if rng.random() < 0.2:
        nom = _sans_accents(nom)
    if rng.random() < 0.04:  # no house number
        return f"{t} {nom}"
    return f"{numero} {t} {nom}" if rng.random() < 0.9 else f"{numero}, {t} {nom}".upper()


def _telephone(chiffres: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.15:
        return ""
    if r < 0.55:
        return " ".join(["0" + chiffres[0]] + [chiffres[k:k + 2] for k in range(1, 9, 2)])
    if r < 0.8:
        return "+33 " + chiffres[0] + " " + " ".join(chiffres[k:k + 2] for k in range(1, 9, 2))
    return "0" + chiffres


def _decaler(lon: float, lat: float, rng: random.Random, metres: float) -> tuple[float, float]:
    import math
    angle = rng.random() * 2 * math.pi
    dy, dx = metres * math.sin(angle), metres * math.cos(angle)
    return (round(lon + dx / (111_195 * math.cos(math.radians(lat))), 7), round(lat + dy / 111_195, 7))


def jeu_etiquete(*, acteurs: int, graine: int = 1, communes=None) -> tuple[list[dict], dict[str, int]]:
    """(acteurs as the flow reads them, identifiant_unique → place number). `communes`: (codes,
    centres, half-extents, weights) as bench.generate.communes_weighted gives them; None: a
    small synthetic France of 200 towns (tests)."""
    rng = random.Random(graine)
    if communes is None:
        codes = [f"{10000 + k:05d}" for k in range(200)]
        centres = [(rng.uniform(-1.5, 7.0), rng.uniform(43.5, 50.5)) for _ in codes]
        demi = [(0.02, 0.015)] * len(codes)
        poids = [1.0] * len(codes)
    else:
        codes, c, h, w = communes
        centres, demi, poids = c.tolist(), h.tolist(), w.tolist()
    # cumulative weights for drawing a commune
    cumul, total = [], 0.0
    for p in poids:
        total += p
        cumul.append(total)
    import bisect

    def commune() -> int:
        return min(bisect.bisect(cumul, rng.random() * total), len(codes) - 1)

    out: list[dict] = []
    verite: dict[str, int] = {}
    lieu = 0
    compteur = 0
    siret_seq = iter(range(10_000_000, 99_999_999))

    def publier(place: dict, sources: list[str]) -> None:
        nonlocal compteur
        for k, source in enumerate(sources):
            compteur += 1
            ident = f"{source}_{compteur}"
            varier = k > 0 or rng.random() < 0.5
            lon, lat = place["location"]
            if varier:
                lon, lat = _decaler(lon, lat, rng, rng.choice([2, 5, 10, 20, 30, 40]) if rng.random() < 0.95
                                     else rng.choice([60, 90, 150]))  # geocoded to the street's centre
            out.append({
                "identifiant_unique": ident, "source": source,
                "nom": _nom_varier(place["nom"], rng) if varier else place["nom"],
                "siret": "" if varier and rng.random() < 0.4 else place["siret"],
                "siren": "", "adresse": _adresse(place["numero"], place["voie"], rng, varier),
                "code_postal": place["cp"], "code_commune_insee": place["commune"], "location": [lon, lat],
                "telephone": _telephone(place["tel"], rng) if place["tel"] else "",
                "email": "" if rng.random() < 0.5 else place["email"],
                "url": "" if rng.random() < 0.5 else (place["url"] if rng.random() < 0.7 else "https://" +
                                                      place["url"].removeprefix("http://") + "/contact"),
                "parent": None, "est_parent": False, "modifie_le": f"2026-{rng.randint(1, 11):02d}-01",
            })
            verite[ident] = place["lieu"]

    def nb_sources() -> list[str]:
        r = rng.random()
        n = 1 if r < 0.7 else 2 if r < 0.9 else 3
        return rng.sample(SOURCES, n)

    while compteur < acteurs:
        ci = commune()
        cx, cy = centres[ci]
        hx, hy = demi[ci]
        lon, lat = cx + rng.uniform(-hx, hx) * 0.8, cy + rng.uniform(-hy, hy) * 0.8
        voie = (rng.choice(TYPES_VOIE), rng.choice(NOMS_VOIE))
        numero = rng.randint(1, 180)
        lieu += 1
        siren = f"{next(siret_seq) % 1_000_000_000:09d}"
        r = rng.random()
        if r < 0.03:  # a chain's stores in one street
            enseigne = rng.choice(ENSEIGNES)
            tel = f"{rng.randint(1, 9)}{rng.randint(0, 99_999_999):08d}"
            url = f"www.{_sans_accents(enseigne).lower().replace(' ', '').replace(chr(39), '')}.fr"
            for k in range(rng.randint(2, 4)):
                lieu += 1
                place = {"lieu": lieu, "nom": enseigne, "siret": siren + f"{k + 1:05d}", "numero": numero + 12 * k + 2,
                         "voie": voie, "cp": codes[ci], "commune": codes[ci],
                         "location": _decaler(lon, lat, rng, 20 + 60 * k + rng.random() * 30),
                         "tel": tel if rng.random() < 0.5 else f"{rng.randint(1, 9)}{rng.randint(0, 99_999_999):08d}",
                         "email": f"magasin{k}@{url.removeprefix('www.')}", "url": url}
                publier(place, nb_sources())
            continue
        nom = f"{rng.choice(METIERS)} {rng.choice(PATRONYMES)} {rng.choice(QUALIFICATIFS)}".strip()
        tel = f"{rng.randint(1, 9)}{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.85 else ""
        slug = _sans_accents(nom).lower().replace(" ", "-").replace("'", "")
        place = {"lieu": lieu, "nom": nom, "siret": siren + "00012", "numero": numero, "voie": voie, "cp": codes[ci],
                 "commune": codes[ci], "location": (lon, lat), "tel": tel,
                 "email": f"contact@{slug}.fr", "url": f"http://www.{slug}.fr"}
        publier(place, nb_sources())
        if rng.random() < 0.02:  # two shops at one address
            lieu += 1
            voisin = f"{rng.choice(METIERS)} {rng.choice(PATRONYMES)}"
            slug2 = _sans_accents(voisin).lower().replace(" ", "-")
            place2 = {"lieu": lieu, "nom": voisin, "siret": f"{next(siret_seq) % 1_000_000_000:09d}00019",
                      "numero": numero, "voie": voie, "cp": codes[ci], "commune": codes[ci],
                      "location": _decaler(lon, lat, rng, rng.random() * 8),
                      "tel": f"{rng.randint(1, 9)}{rng.randint(0, 99_999_999):08d}",
                      "email": f"contact@{slug2}.fr", "url": f"www.{slug2}.fr"}
            publier(place2, nb_sources())
    return out[:acteurs], verite


def paires_vraies(verite: dict[str, int]) -> set[frozenset[str]]:
    par_lieu: dict[int, list[str]] = defaultdict(list)
    for ident, lieu in verite.items():
        par_lieu[lieu].append(ident)
    return {frozenset(p) for ids in par_lieu.values() for p in combinations(sorted(ids), 2)}


def paires_predites(grappes: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for ids in grappes for p in combinations(sorted(ids), 2)}


def precision_rappel(predites: set, vraies: set) -> tuple[float, float]:
    tp = len(predites & vraies)
    return (tp / len(predites) if predites else 1.0), (tp / len(vraies) if vraies else 1.0)


def tfidf_base(acteurs: list[dict]) -> list[list[str]]:
    """Today's service, as described: TF-IDF (character n-grams, cosine) on the names within one
    postal code and city, a pair at cosine ≥ 0.8, connected components. Pure Python."""
    import math
    par_bloc: dict[tuple, list[dict]] = defaultdict(list)
    for a in acteurs:
        par_bloc[(a["code_postal"], a["code_commune_insee"])].append(a)
    grappes = []
    for bloc in par_bloc.values():
        if len(bloc) < 2:
            continue
        docs = []
        df: dict[str, int] = defaultdict(int)
        for a in bloc:
            n = f"  {(a['nom'] or '').lower()}  "
            grams = defaultdict(int)
            for k in range(len(n) - 2):
                grams[n[k:k + 3]] += 1
            docs.append(grams)
            for g in grams:
                df[g] += 1
        vecs = []
        for grams in docs:
            v = {g: c * math.log(len(bloc) / df[g] + 1) for g, c in grams.items()}
            norme = math.sqrt(sum(x * x for x in v.values())) or 1.0
            vecs.append({g: x / norme for g, x in v.items()})
        racine = list(range(len(bloc)))

        def trouver(i):
            while racine[i] != i:
                racine[i] = racine[racine[i]]
                i = racine[i]
            return i
        for i, j in combinations(range(len(bloc)), 2):
            vi, vj = vecs[i], vecs[j]
            if len(vi) > len(vj):
                vi, vj = vj, vi
            if sum(x * vj.get(g, 0.0) for g, x in vi.items()) >= 0.8:
                racine[trouver(i)] = trouver(j)
        comps = defaultdict(list)
        for i in range(len(bloc)):
            comps[trouver(i)].append(bloc[i]["identifiant_unique"])
        grappes += [c for c in comps.values() if len(c) >= 2]
    return grappes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--acteurs", type=int, default=500_000)
    parser.add_argument("--graine", type=int, default=1)
    parser.add_argument("--base", type=int, default=20_000, help="acteurs given to the baseline (TF-IDF)")
    parser.add_argument("--dask", default="", help="Dask worker counts to score the pairs with, e.g. 1,2")
    parser.add_argument("--lot", type=int, default=None, help="pairs per scoring task (default: the flow's LOT_PAIRES)")
    args = parser.parse_args()

    import flows  # noqa: F401  (Django settings: the bundled referentials' path)
    from bench.generate import communes_weighted
    from flows.enrichissement.doublons import doublons_trouver

    t = time.perf_counter()
    acteurs, verite = jeu_etiquete(acteurs=args.acteurs, graine=args.graine, communes=communes_weighted())
    vraies = paires_vraies(verite)
    print(f"jeu étiqueté : {len(acteurs)} acteurs, {len(set(verite.values()))} lieux, {len(vraies)} paires de "
          f"doublons ({time.perf_counter() - t:.1f} s à générer)", flush=True)

    base = acteurs[:args.base]
    t = time.perf_counter()
    grappes_base = tfidf_base(base)
    s_base = time.perf_counter() - t
    vraies_base = {p for p in paires_vraies({a["identifiant_unique"]: verite[a["identifiant_unique"]] for a in base})}
    pb, rb = precision_rappel(paires_predites(grappes_base), vraies_base)
    print(f"base (TF-IDF sur les noms par code postal et ville, {len(base)} acteurs) : precision {pb:.3f} "
          f"recall {rb:.3f} secondes {s_base:.1f}", flush=True)

    t, cpu = time.perf_counter(), time.process_time()
    fiches, grappes = doublons_trouver(acteurs)
    secondes, cpu = time.perf_counter() - t, time.process_time() - cpu
    ids = [[fiches[i].identifiant_unique for i in g.membres] for g in grappes]
    p, r = precision_rappel(paires_predites(ids), vraies)
    memoire = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the same subset as the baseline, for a like-for-like comparison
    sous = {a["identifiant_unique"] for a in base}
    fiches_b, grappes_b = doublons_trouver(base)
    pb2, rb2 = precision_rappel(paires_predites([[fiches_b[i].identifiant_unique for i in g.membres]
                                                 for g in grappes_b]), vraies_base)
    print(f"dedoublonnage sur les mêmes {len(sous)} acteurs que la base : precision {pb2:.3f} recall {rb2:.3f}")
    print(f"grappes {len(grappes)}; temps processeur {cpu:.1f} s (machine partagée : l'horloge compte aussi "
          "l'attente du processeur)")
    print(f"precision {p:.3f} recall {r:.3f} acteurs {len(acteurs)} secondes {secondes:.1f} memoire_mo {memoire:.0f}")
    if args.dask:
        from flows.enrichissement.dedoublonnage import LOT_PAIRES

        scores_sur_dask(acteurs, [int(n) for n in args.dask.split(",")], lot=args.lot or LOT_PAIRES)


_ENTREES: dict = {"lots": [], "fiches": []}  # `_scorer`'s, read through `_entrees`


def _entrees() -> dict:
    """`_scorer`'s lots and fiches. Through a function: Prefect sends the flow with every task (in
    its context), and cloudpickle sends a flow's function by value with the globals it names; a
    module-level function is sent by reference, a dict by value. Naming the global in `_scorer`
    shipped every lot with every task (22 MiB per task at 100,000 acteurs, quadratic)."""
    return _ENTREES


@flow(name="bench-dedoublonnage-scores")
def _scorer() -> tuple[list, set, float]:
    """The flow's scoring stage alone: its task per lot, on the flow's task runner."""
    from flows.enrichissement.dedoublonnage import lots_scorer

    debut = time.perf_counter()
    scorees, ou = lots_scorer(_entrees()["lots"], _entrees()["fiches"])
    return scorees, ou, time.perf_counter() - debut


def scores_sur_dask(acteurs: list[dict], workers: list[int], *, lot: int) -> None:
    """The scoring stage: one process, then the flow's task on local Dask clusters."""
    from flows.enrichissement.doublons import fiche_depuis_acteur, lots_former, paires_candidates, paires_scorer

    t = time.perf_counter()
    fiches = [fiche_depuis_acteur(a) for a in acteurs]
    paires = sorted(paires_candidates(fiches))
    print(f"\nscores : {len(paires):,} paires candidates ({time.perf_counter() - t:.1f} s de fiches et de blocage)",
          flush=True)
    t = time.perf_counter()
    reference = paires_scorer(fiches, paires)
    base = time.perf_counter() - t
    print(f"  un processus (base : le flow jusqu'ici) : {base:6.1f} s, {len(paires) / base:9,.0f} paires/s", flush=True)

    # this module imported, not `__main__`: its flow is pickled by reference, not with its globals
    import bench.dedoublonnage as module

    module._ENTREES.update(lots=lots_former(paires, taille=lot), fiches=fiches)
    # one Prefect server for the flow and the Dask workers' tasks (they inherit PREFECT_API_URL;
    # without it each process would start a temporary server of its own)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.execution_locale import processus_arreter, serveur_prefect_demarrer

    serveur, api = serveur_prefect_demarrer(base_url=None)
    os.environ["PREFECT_API_URL"] = api
    try:
        with temporary_settings(updates={PREFECT_API_URL: api}):
            for n in workers:
                _scores_mesurer(module, n, reference=reference, base=base, paires=len(paires))
            for n in workers:
                _scores_mesurer_cluster_permanent(module, n, api=api, reference=reference, base=base,
                                                  paires=len(paires))
    finally:
        processus_arreter(serveur)


def _scores_mesurer(module, n: int, *, reference: list, base: float, paires: int) -> None:
    from flows.enrichissement.dedoublonnage import DASK_WORKERS_ENV, task_runner_choisir

    t = time.perf_counter()
    runner = task_runner_choisir({DASK_WORKERS_ENV: str(n)})
    scorees, ou, duree = module._scorer.with_options(task_runner=runner)()
    _afficher(f"Dask, {n} worker(s), {len(module._ENTREES['lots'])} lots", duree=duree, paires=paires, base=base,
              total=f"{time.perf_counter() - t:.1f} s avec le démarrage du cluster et du flow", ou=ou,
              identiques=scorees == reference)


def _afficher(libelle: str, *, duree: float, paires: int, base: float, total: str, ou: set, identiques: bool) -> None:
    print(f"  {libelle} : {duree:6.1f} s, {paires / duree:9,.0f} paires/s, ×{base / duree:.2f} ({total}) ; "
          f"{len(ou)} workers ; paires {'identiques' if identiques else 'DIFFÉRENTES'} à un processus", flush=True)


def _scores_mesurer_cluster_permanent(module, n: int, *, api: str, reference: list, base: float,
                                      paires: int) -> None:
    """As in production (docs/deploiement.md): a scheduler and `n` workers that outlive the flow
    runs, started once, then two runs of the flow on them, the first (cold: the workers import
    the project) and the second (warm)."""
    from flows.enrichissement.dedoublonnage import DASK_ADRESSE_ENV, task_runner_choisir
    from flows.execution_locale import (dask_scheduler_demarrer, dask_worker_demarrer, dask_workers_attendre,
                                        processus_arreter)

    scheduler, adresse = dask_scheduler_demarrer()
    workers = []
    try:
        workers = [dask_worker_demarrer(adresse=adresse, nom=f"bench-{k}", env={"PREFECT_API_URL": api})
                   for k in range(n)]
        dask_workers_attendre(adresse=adresse, n=n)
        for passage in ("1er", "2e"):
            t = time.perf_counter()
            runner = task_runner_choisir({DASK_ADRESSE_ENV: adresse})
            scorees, ou, duree = module._scorer.with_options(task_runner=runner)()
            _afficher(f"Dask permanent, {n} worker(s), {passage} flow", duree=duree, paires=paires, base=base,
                      total=f"{time.perf_counter() - t:.1f} s avec le flow", ou=ou, identiques=scorees == reference)
    finally:
        for processus in [*workers, scheduler]:
            processus_arreter(processus)


if __name__ == "__main__":
    main()
