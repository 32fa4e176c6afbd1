"""Validation of normalised lignes (pydantic): a ligne that fails is quarantined with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import (
    BaseModel,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from geoapp.suggestions.lignes import ligne_canonique

# France: metropolitan bbox and the overseas départements.
FRANCE_BBOXES = (
    (-5.5, 41.2, 9.9, 51.2),  # métropole + Corse
    (-61.9, 15.8, -60.9, 16.6),  # Guadeloupe
    (-61.3, 14.3, -60.7, 14.95),  # Martinique
    (-54.7, 2.0, -51.5, 6.0),  # Guyane
    (55.1, -21.5, 56.0, -20.8),  # La Réunion
    (44.9, -13.1, 45.4, -12.5),  # Mayotte
)


def en_france(lon: float, lat: float) -> bool:
    return any(x0 <= lon <= x1 and y0 <= lat <= y1 for x0, y0, x1, y1 in FRANCE_BBOXES)


def siret_valide(siret: str) -> bool:
    """Luhn on the 14 digits (La Poste's establishments, SIREN 356000000, are the known exception)."""
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith("356000000"):
        return sum(map(int, siret)) % 5 == 0
    total = 0
    for i, ch in enumerate(reversed(siret)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


@dataclass(frozen=True)
class Referentiels:
    sources: frozenset
    acteur_types: frozenset
    labels: frozenset
    services: frozenset
    actions: frozenset
    sous_categories: frozenset

    @classmethod
    def depuis_la_base(cls) -> "Referentiels":
        from geoapp.acteurs import models as m

        codes = lambda model: frozenset(model.objects.values_list("code", flat=True))  # noqa: E731
        return cls(codes(m.Source), codes(m.ActeurType), codes(m.LabelQualite), codes(m.ActeurService),
                   codes(m.Action), codes(m.SousCategorieObjet))


class Proposition(BaseModel):
    action: str
    sous_categories: list[str]


class LigneActeur(BaseModel):
    model_config = ConfigDict(extra="ignore")

    identifiant_unique: str
    identifiant_externe: str
    source: str
    acteur_type: str
    nom: str
    nom_commercial: str = ""
    siret: str = ""
    siren: str = ""
    adresse: str = ""
    adresse_complement: str = ""
    code_postal: str = ""
    ville: str = ""
    location: list[float] | None = None
    url: str = ""
    email: str = ""
    telephone: str = ""
    statut: str = "ACTIF"
    labels: list[str] = []
    acteur_services: list[str] = []
    propositions: list[Proposition] = []

    @field_validator("nom")
    @classmethod
    def _nom(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("nom vide")
        return v

    @field_validator("siret")
    @classmethod
    def _siret(cls, v: str) -> str:
        if v and not siret_valide(v):
            raise ValueError(f"SIRET invalide : {v}")
        return v

    @field_validator("code_postal")
    @classmethod
    def _cp(cls, v: str) -> str:
        if v and not (len(v) == 5 and v.isdigit()):
            raise ValueError(f"code postal invalide : {v}")
        return v

    @field_validator("statut")
    @classmethod
    def _statut(cls, v: str) -> str:
        if v not in ("ACTIF", "INACTIF", "SUPPRIME"):
            raise ValueError(f"statut inconnu : {v}")
        return v

    @model_validator(mode="after")
    def _coherence(self, info: ValidationInfo) -> "LigneActeur":
        ref: Referentiels | None = (info.context or {}).get("referentiels")
        allowed: set | None = (info.context or {}).get("sources")
        if self.location is None:
            if self.acteur_type != "acteur_digital":
                raise ValueError("coordonnées manquantes")
        else:
            lon, lat = self.location
            if not en_france(lon, lat):
                raise ValueError(f"coordonnées hors de France : {lat}, {lon}")
        if allowed is not None and self.source not in allowed:
            raise ValueError(f"source inattendue pour ce flux : {self.source}")
        if ref is not None:
            checks = [("source", [self.source], ref.sources), ("type d'acteur", [self.acteur_type], ref.acteur_types),
                      ("label", self.labels, ref.labels), ("service", self.acteur_services, ref.services),
                      ("action", [p.action for p in self.propositions], ref.actions),
                      ("sous-catégorie", [s for p in self.propositions for s in p.sous_categories],
                       ref.sous_categories)]
            for what, values, known in checks:
                unknown = sorted(set(values) - known)
                if unknown:
                    raise ValueError(f"{what} inconnu(e) : {', '.join(unknown)}")
        return self


def _raison(erreur: dict, *, sauter: int = 0) -> str:
    """A pydantic error → readable reason: `champ : message` (the model's checks: the message)."""
    where = ".".join(str(p) for p in erreur.get("loc", ())[sauter:] if p != "__root__")
    message = str(erreur.get("msg", "")).removeprefix("Value error, ")
    return f"{where} : {message}" if where else message


def ligne_valider(ligne: dict, *, referentiels: Referentiels | None, sources: set | None) -> dict:
    """The canonical ligne, or `ValueError` with a readable reason."""
    try:
        LigneActeur.model_validate(ligne, context={"referentiels": referentiels, "sources": sources})
    except ValidationError as exc:
        raise ValueError(_raison(exc.errors()[0])) from None
    return ligne_canonique(ligne)


_LISTE = TypeAdapter(list[LigneActeur])


def lignes_valider(lignes: list[dict], *, referentiels: Referentiels | None,
                   sources: set | None) -> list[dict | str]:
    """Many lignes at once (one pydantic call): for each, in order, its canonical ligne or the
    reason it is refused (the same reason `ligne_valider` gives)."""
    if not lignes:
        return []
    raisons: dict[int, str] = {}
    try:
        _LISTE.validate_python(lignes, context={"referentiels": referentiels, "sources": sources})
    except ValidationError as exc:
        for erreur in exc.errors():
            loc = erreur.get("loc", ())
            if loc and isinstance(loc[0], int):
                raisons.setdefault(loc[0], _raison(erreur, sauter=1))
            else:  # not a ligne's error (the list itself): each ligne on its own
                return [_un(ligne, referentiels=referentiels, sources=sources) for ligne in lignes]
    return [raisons[i] if i in raisons else ligne_canonique(ligne) for i, ligne in enumerate(lignes)]


def _un(ligne: dict, *, referentiels: Referentiels | None, sources: set | None) -> dict | str:
    try:
        return ligne_valider(ligne, referentiels=referentiels, sources=sources)
    except ValueError as exc:
        return str(exc)
