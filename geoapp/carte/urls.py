from django.urls import path

from . import views

app_name = "carte"
urlpatterns = [
    path("carte/", views.carte, name="carte"),
    path("carte/objets.json", views.objets, name="objets"),
    path("carte/integree/", views.carte_integree, name="integree"),
    path("carte/fond/<int:z>/<int:x>/<int:y>.pbf", views.fond, name="fond"),
    path("carte/signaler/<str:uuid>/", views.signaler, name="signaler"),
    path("carte/proposer/", views.proposer, name="proposer"),
    path("carte/merci/", views.merci, name="merci"),
    path("carte/<slug:slug>/", views.carte_embarquee, name="embarquee"),
    path("carte/<slug:slug>/embed.js", views.carte_script, name="script"),
]
