"""Charts as SVG drawn by the server (no script, no CDN): pure functions turning figures into the
shapes the templates draw, every text autoescaped by the templates. Each chart has its table."""

from __future__ import annotations

import math

LARGEUR = 640
BARRE = 18  # height of a bar
MARGE_LIBELLE = 200  # room for the labels left of the bars
AUCUN = "#f6f6f6"  # a département without acteurs
PALETTE = ("#e3e3fd", "#b1b1f9", "#8585f6", "#5858e8", "#000091")  # DSFR blue France, light → dark


def barres(valeurs: list[tuple[str, float]], *, maximum: int = 25, format_valeur=None) -> dict:
    """Horizontal bars, largest first (at most `maximum`)."""
    valeurs = valeurs[:maximum]
    plus_grande = max((v for _, v in valeurs), default=0) or 1
    place = LARGEUR - MARGE_LIBELLE - 70
    lignes = [{
        "libelle": libelle, "valeur": valeur, "texte": format_valeur(valeur) if format_valeur else f"{valeur:g}",
        "y": i * (BARRE + 4), "y_texte": i * (BARRE + 4) + BARRE - 5,
        "largeur": round(place * valeur / plus_grande, 1), "x_valeur": MARGE_LIBELLE + round(place * valeur / plus_grande, 1) + 4,
    } for i, (libelle, valeur) in enumerate(valeurs)]
    return {"largeur": LARGEUR, "hauteur": max(len(lignes), 1) * (BARRE + 4), "marge": MARGE_LIBELLE,
            "x_libelle": MARGE_LIBELLE - 6, "barre": BARRE, "lignes": lignes}


def courbe(points: list[tuple[str, float]], *, hauteur: int = 180, format_valeur=None) -> dict:
    """A line over time: `points` are (day label, value), oldest first."""
    gauche, bas, haut = 60, 24, 10
    place_x, place_y = LARGEUR - gauche - 20, hauteur - bas - haut
    valeurs = [v for _, v in points]
    vmin, vmax = (min(valeurs), max(valeurs)) if valeurs else (0, 1)
    if vmin == vmax:
        vmin, vmax = vmin - 1 if vmin else 0, vmax + 1
    pas = place_x / max(len(points) - 1, 1)
    sommets = [{"x": round(gauche + i * pas, 1), "y": round(haut + place_y * (vmax - v) / (vmax - vmin), 1),
                "jour": jour, "texte": format_valeur(v) if format_valeur else f"{v:g}"}
               for i, (jour, v) in enumerate(points)]
    return {
        "largeur": LARGEUR, "hauteur": hauteur, "sommets": sommets,
        "polyline": " ".join(f"{s['x']},{s['y']}" for s in sommets),
        "gauche": gauche, "bas": hauteur - bas, "haut": haut, "droite": LARGEUR - 20,
        "vmin": format_valeur(vmin) if format_valeur else f"{vmin:g}",
        "vmax": format_valeur(vmax) if format_valeur else f"{vmax:g}",
        "premier": points[0][0] if points else "", "dernier": points[-1][0] if points else "",
    }


def classes(valeurs: list[float], n: int = len(PALETTE)) -> list[float]:
    """Upper bounds of `n` classes by quantiles (the last is the maximum)."""
    tri = sorted(valeurs)
    if not tri:
        return []
    return [tri[min(len(tri) - 1, math.ceil(len(tri) * (k + 1) / n) - 1)] for k in range(n)]


def carte_departements(contours: list[tuple], etendue: tuple | None, acteurs: dict[str, float]) -> dict | None:
    """Metropolitan départements coloured by displayed acteurs per 100,000 inhabitants (quantile
    classes). `contours`: (code, name, SVG path, population)."""
    if not contours or not etendue or etendue[0] is None:
        return None
    densites = {code: (acteurs.get(code, 0) * 100_000 / pop if pop else 0.0) for code, _, _, pop in contours}
    # quantile classes over the départements that have acteurs; those without have their own colour
    bornes = sorted(set(classes([v for v in densites.values() if v > 0])))

    def couleur(v: float) -> str:
        if v <= 0:
            return AUCUN
        return next((PALETTE[i] for i, b in enumerate(bornes) if v <= b), PALETTE[len(bornes) - 1])

    xmin, ymin, xmax, ymax = etendue
    echelle_x = math.cos(math.radians((ymin + ymax) / 2))  # a degree of longitude is shorter
    return {
        "viewbox": f"{xmin * echelle_x:.3f} {-ymax:.3f} {(xmax - xmin) * echelle_x:.3f} {ymax - ymin:.3f}",
        "echelle_x": f"{echelle_x:.4f}",
        "departements": [{"code": code, "nom": nom, "d": chemin, "couleur": couleur(densites[code]),
                          "acteurs": int(acteurs.get(code, 0)), "densite": round(densites[code], 1)}
                         for code, nom, chemin, _ in contours],
        "legende": [{"couleur": AUCUN, "jusqua": None}]
                   + [{"couleur": PALETTE[i], "jusqua": round(b, 1)} for i, b in enumerate(bornes)],
    }
