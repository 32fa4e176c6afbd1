"""GeoJSON (djangorestframework-gis) and JSON representations. Thin: no query here."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geoapp.acteurs import models as acteurs
from geoapp.territoires.models import Commune

PRECISION = 6  # ~11 cm: enough for a door, no noise


class ActeurSerializer(GeoFeatureModelSerializer):
    location = GeometryField(precision=PRECISION)
    propositions = serializers.JSONField(help_text='[{"action": code, "sous_categories": [codes]}]')
    distance_m = serializers.SerializerMethodField(help_text="distance en mètres au point `near`")

    class Meta:
        model = acteurs.DisplayedActeur
        geo_field = "location"
        id_field = False
        fields = (
            "uuid", "nom", "nom_commercial", "adresse", "adresse_complement", "code_postal", "ville",
            "code_commune_insee", "acteur_type", "propositions", "actions", "groupes_actions", "labels", "sources",
            "horaires_osm", "horaires_description", "telephone", "url", "exclusivite_de_reprisereparation",
            "distance_m",
        )

    def get_distance_m(self, obj) -> float | None:
        d = getattr(obj, "distance_m", None)
        return round(d, 1) if d is not None else None

    def to_representation(self, instance):
        feature = super().to_representation(instance)
        if feature["properties"].get("distance_m") is None:
            feature["properties"].pop("distance_m", None)
        return feature


class CommuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commune
        fields = ("code", "nom", "type", "departement", "epci", "codes_postaux", "population")


class CommuneContourSerializer(GeoFeatureModelSerializer):
    geom = GeometryField(precision=PRECISION)

    class Meta:
        model = Commune
        geo_field = "geom"
        id_field = False
        fields = ("code", "nom", "type", "departement", "epci", "codes_postaux", "population")


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = acteurs.Action
        fields = ("code", "libelle", "libelle_groupe", "groupe_action", "couleur", "icon", "order")


class GroupeActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = acteurs.GroupeAction
        fields = ("code", "libelle", "couleur", "couleur_claire", "icon", "order")


class SousCategorieSerializer(serializers.ModelSerializer):
    class Meta:
        model = acteurs.SousCategorieObjet
        fields = ("code", "libelle", "categorie")


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = acteurs.LabelQualite
        fields = ("code", "libelle", "bonus", "type_enseigne", "url")


class ActeurTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = acteurs.ActeurType
        fields = ("code", "libelle")


class SourceSerializer(serializers.Serializer):
    """What `geoapp.acteurs.selectors.source_list_with_counts` returns."""

    code = serializers.CharField()
    libelle = serializers.CharField()
    licence = serializers.CharField()
    acteurs_count = serializers.IntegerField(help_text="acteurs affichés qui citent cette source")
    derniere_execution_reussie = serializers.DateTimeField(allow_null=True)


class ErreurSerializer(serializers.Serializer):
    erreur = serializers.CharField()
    parametre = serializers.CharField(required=False)
