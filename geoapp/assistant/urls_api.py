from django.urls import path

from . import views

app_name = "assistant_api"
urlpatterns = [
    path("v1/produits", views.ProduitRechercheView.as_view(), name="produits"),
    path("v1/produits/<str:slug>", views.ProduitDetailView.as_view(), name="produit"),
]
