from django.urls import path

from . import views

urlpatterns = [path("api/v1/adresses", views.adresses, name="api-adresses")]
