from django.urls import path

from . import views

app_name = "statistiques"
urlpatterns = [path("statistiques/", views.statistiques, name="statistiques")]
