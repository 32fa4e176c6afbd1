from rest_framework import serializers


class ProduitResultatSerializer(serializers.Serializer):
    nom = serializers.CharField(help_text="le nom du produit, comme dans produits-index.json")
    slug = serializers.CharField()
    url = serializers.CharField(help_text="la page du produit")
    synonyme = serializers.CharField(help_text="le nom ou synonyme qui correspond à la recherche")
    sous_categories = serializers.ListField(child=serializers.CharField(), help_text="codes de sous-catégorie d'objets")


class ProduitRechercheSerializer(serializers.Serializer):
    results = ProduitResultatSerializer(many=True)


class ConseilsSerializer(serializers.Serializer):
    bon_etat = serializers.CharField()
    abime = serializers.CharField()
    reprise = serializers.CharField()
    poubelle = serializers.CharField()
    eviter = serializers.CharField()


class ProduitSerializer(serializers.Serializer):
    nom = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField()
    synonymes = serializers.ListField(child=serializers.CharField())
    sous_categories = serializers.ListField(child=serializers.CharField())
    familles = serializers.ListField(child=serializers.CharField(), help_text="codes des catégories d'objets")
    filieres_rep = serializers.CharField()
    eco_organismes = serializers.CharField()
    reprise_distributeur = serializers.BooleanField()
    decheterie = serializers.BooleanField()
    actions = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                    help_text="par état (bon_etat, abime), les codes d'action à chercher sur la carte")
    conseils = ConseilsSerializer()
