from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("geoapp.carte.urls")),
    path("admin/", admin.site.urls),
    path("", include("geoapp.geocodage.urls")),
]

# --- carte & API ---
urlpatterns += [path("api/", include("geoapp.api.urls"))]

# --- exploitation : /sante/, /metrics ---
urlpatterns += [path("", include("geoapp.exploitation.urls"))]
