from django.urls import path

from . import views

app_name = "donnees"
urlpatterns = [
    path("donnees/", views.donnees, name="donnees"),
    path("donnees/schema.json", views.schema, name="schema"),
    path("donnees/acteurs.csv", views.acteurs_csv, name="acteurs_csv"),
    path("donnees/acteurs.geojson", views.acteurs_geojson, name="acteurs_geojson"),
    path("donnees/acteurs.parquet", views.acteurs_parquet, name="acteurs_parquet"),
]
