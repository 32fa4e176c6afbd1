from django.urls import path

from . import views

app_name = "assistant"
urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("recherche/", views.recherche, name="recherche"),
    path("recherche/choix/", views.choix, name="choix"),
    path("produit/<slug:slug>/", views.produit, name="produit"),
    path("famille/<slug:code>/", views.famille, name="famille"),
    path("assistant/embed.js", views.script, name="script"),
    path("assistant/embarque/", views.embarque_accueil, name="embarque_accueil"),
    path("assistant/embarque/recherche/", views.embarque_recherche, name="embarque_recherche"),
    path("assistant/embarque/recherche/choix/", views.embarque_choix, name="embarque_choix"),
    path("assistant/embarque/produit/<slug:slug>/", views.embarque_produit, name="embarque_produit"),
]
