from django.shortcuts import render

from geoapp.acteurs.selectors import displayed_acteur_count, displayed_acteur_list, source_list_with_counts


def accueil(request):
    return render(
        request,
        "carte/accueil.html",
        {
            "acteurs_count": displayed_acteur_count(),
            "acteurs": displayed_acteur_list(limit=50),
            "sources": source_list_with_counts(),
        },
    )
