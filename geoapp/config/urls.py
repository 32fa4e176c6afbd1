from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("geoapp.carte.urls")),
    path("admin/", admin.site.urls),
    path("", include("geoapp.geocodage.urls")),
]

# --- carte & API ---
urlpatterns += [path("api/", include("geoapp.api.urls"))]

# --- assistant ---
urlpatterns += [path("", include("geoapp.assistant.urls")), path("api/", include("geoapp.assistant.urls_api"))]

# --- données ouvertes et statistiques (issue 17) ---
urlpatterns += [path("", include("geoapp.donnees.urls")), path("", include("geoapp.statistiques.urls"))]

# --- exploitation : /sante/, /metrics ---
urlpatterns += [path("", include("geoapp.exploitation.urls"))]
