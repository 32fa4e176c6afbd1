"""Declarative configuration of the eco-organismes: adding one is an entry here, not new code.

Every eco-organisme shares the data-fair record format (docs/SOURCE_FORMATS.md §1) and one code
path (`normalise.eo_normaliser`); an entry says where its dataset lives and how it differs:
renames, transforms, defaults, which product-label mapping turns `produitsdechets_acceptes` into
sous-catégories, and a few switches."""

from __future__ import annotations

from dataclasses import dataclass, field

POINTSAPPORT = "pointsapport"  # settings.SOURCES_DATAFAIR_POINTSAPPORT_URL
ADEME = "ademe"  # settings.SOURCES_DATAFAIR_ADEME_URL

# Shared by every eco-organisme: source field → ligne field.
EO_RENAMES = {
    "nom_de_lorganisme": "nom",
    "enseigne_commerciale": "nom_commercial",
    "adresse_complement": "adresse_complement",
    "consignes_dacces": "description",
}
# ligne field ← transform name (see normalise.TRANSFORMS), applied to the source field of the same
# name unless `(source field, transform)` is given.
EO_TRANSFORMS = {
    "source": ("ecoorganisme", "code_source"),
    "acteur_type": ("type_de_point_de_collecte", "type_acteur"),
    "public_accueilli": ("public_accueilli", "public_accueilli"),
    "exclusivite_de_reprisereparation": ("exclusivite_de_reprisereparation", "booleen"),
    "uniquement_sur_rdv": ("uniquement_sur_rdv", "booleen"),
    "reprise": ("reprise", "reprise"),
    "horaires_osm": ("horaires_douverture", "horaires_osm"),
    "url": ("site_web", "url"),
    "email": ("email", "email"),
    "telephone": ("telephone", "telephone"),
    "lieu_prestation": ("service_a_domicile", "lieu_prestation"),
}
EO_DEFAULTS = {"statut": "ACTIF"}
# Fields a data-fair line may carry that the rules read or knowingly drop: anything else is
# reported as an unknown field (kept in the raw archive), never fatal.
EO_KNOWN_FIELDS = frozenset({
    "id_point_apport_ou_reparation", "nom_de_lorganisme", "enseigne_commerciale", "ecoorganisme",
    "type_de_point_de_collecte", "public_accueilli", "exclusivite_de_reprisereparation", "reprise",
    "produitsdechets_acceptes", "consignes_dacces", "uniquement_sur_rdv", "adresse_complement",
    "horaires_douverture", "site_web", "email", "latitudewgs84", "longitudewgs84", "labels_etou_bonus", "siret",
    "siren", "adresse_format_ban", "telephone", "point_dapport_de_service_reparation", "point_de_reparation",
    "point_dapport_pour_reemploi", "point_de_collecte_ou_de_reprise_des_dechets", "service_a_domicile",
    "perimetre_dintervention",
    "_i", "_id", "_updatedAt", "_rand", "_geopoint", "_score", "filiere", "latitudemercator", "longitudemercator",
    "accessible", "date_debut_point_ephemere", "date_fin_point_ephemere",
})


@dataclass(frozen=True)
class EcoOrganisme:
    cle: str  # the flow's key and run registry name
    dataset: str
    sources: tuple[str, ...]  # the source codes its rows may carry (the diff's scope)
    host: str = POINTSAPPORT
    mapping: str = "sous_categories"  # key of data/reference/eo-produits-vers-sous-categories.json
    label_bonus: str | None = None  # code replacing "Agréé Bonus Réparation"
    reemploi_action: str = "donner"  # action of a re-use point (Citeo: rapporter)
    source_forcee: str | None = None  # ignore `ecoorganisme`, use this code
    oca_prefixe: str | None = None  # OCAB: one ligne per `|` eco-organisme, code `<prefixe>_<nom>`
    renames: dict = field(default_factory=lambda: dict(EO_RENAMES))
    transforms: dict = field(default_factory=lambda: dict(EO_TRANSFORMS))
    defaults: dict = field(default_factory=lambda: dict(EO_DEFAULTS))
    # its deployment's schedule (cron, Europe/Paris); None: weekly, in the night from Sunday to
    # Monday, staggered by the entry's rank (flows/sources/deploiements.py)
    planification: str | None = None


def _eo(cle: str, **kw) -> EcoOrganisme:
    kw.setdefault("dataset", f"donnees-eo-{cle}")
    kw.setdefault("sources", (cle,))
    return EcoOrganisme(cle=cle, **kw)


ECO_ORGANISMES: dict[str, EcoOrganisme] = {e.cle: e for e in (
    _eo("aliapur"),
    _eo("batribox", host=ADEME, source_forcee="batribox"),
    _eo("citeo", reemploi_action="rapporter"),
    _eo("corepile", dataset="donnees-eo-corepile-ecosystem", sources=("corepile", "ecosystem")),
    _eo("cyclevia"),
    _eo("ecodds"),
    _eo("ecologic", mapping="sous_categories_3eee"),
    _eo("ecomaison"),
    _eo("ecopae"),
    _eo("ecosystem", mapping="sous_categories_3eee"),
    _eo("ocab", oca_prefixe="ocab", sources=("ocab_valobat", "ocab_ecomaison", "ocab_valdelia", "ocab_ecominero")),
    _eo("ocad3e", mapping="sous_categories_qualirepar", label_bonus="qualirepar"),
    _eo("pyreo"),
    _eo("refashion", label_bonus="refashion"),
    _eo("soren"),
    _eo("valdelia"),
)}
