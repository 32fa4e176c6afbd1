"""The citizens' forms of the map: "Signaler une erreur / proposer une modification" on an acteur,
"Proposer un lieu". Each field has a length cap (Django's CharField also refuses NUL); `site_web`
is a honeypot, hidden from people (CSS, `aria-hidden`, out of the tab order): a robot that fills
it gets a form error and nothing is saved."""

from __future__ import annotations

import re

from django import forms

MOTIFS = [
    ("ferme", "Le lieu a fermé"),
    ("deplace", "Le lieu a déménagé"),
    ("horaires", "Les horaires sont faux"),
    ("telephone", "Le téléphone est faux"),
    ("autre", "Autre chose"),
]
MESSAGE_MAX = 2000
TELEPHONE = re.compile(r"^\+?[0-9 .()-]{6,20}$")
HONEYPOT_ERREUR = "Formulaire refusé : un champ invisible a été rempli."


class _ContributionForm(forms.Form):
    email = forms.EmailField(label="Votre e-mail (facultatif)", required=False, max_length=254,
                             help_text="Pour vous répondre si besoin. Il n'est jamais publié.")
    site_web = forms.CharField(label="Ne pas remplir ce champ", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("site_web"):
            raise forms.ValidationError(HONEYPOT_ERREUR, code="honeypot")
        return data


def _telephone(valeur: str) -> str:
    if valeur and not TELEPHONE.match(valeur):
        raise forms.ValidationError("Un numéro de téléphone : chiffres, espaces, + . ( ) -")
    return valeur


class SignalementForm(_ContributionForm):
    motif = forms.ChoiceField(label="Qu'est-ce qui ne va pas ?", choices=MOTIFS, widget=forms.RadioSelect)
    adresse = forms.CharField(label="Nouvelle adresse", required=False, max_length=255,
                              help_text="Si le lieu a déménagé : numéro, rue, code postal, ville")
    horaires = forms.CharField(label="Les bons horaires", required=False, max_length=500,
                               widget=forms.Textarea(attrs={"rows": 3}))
    telephone = forms.CharField(label="Le bon numéro de téléphone", required=False, max_length=30)
    message = forms.CharField(label="Précisions", required=False, max_length=MESSAGE_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=f"{MESSAGE_MAX} caractères au plus")
    # the field each motif requires
    REQUIS = {"deplace": "adresse", "horaires": "horaires", "telephone": "telephone", "autre": "message"}
    field_order = ["motif", "adresse", "horaires", "telephone", "message", "email", "site_web"]

    def clean_telephone(self):
        return _telephone(self.cleaned_data["telephone"].strip())

    def clean(self):
        data = super().clean()
        champ = self.REQUIS.get(data.get("motif", ""))
        if champ and not (data.get(champ) or "").strip() and champ not in self.errors:
            self.add_error(champ, "Ce champ est nécessaire pour ce signalement.")
        return data


class LieuForm(_ContributionForm):
    nom = forms.CharField(label="Nom du lieu", max_length=255)
    adresse = forms.CharField(label="Adresse", max_length=255, help_text="numéro et rue")
    code_postal = forms.RegexField(label="Code postal", regex=r"^[0-9][0-9AB][0-9]{3}$", max_length=5,
                                   error_messages={"invalid": "Un code postal de 5 chiffres."})
    ville = forms.CharField(label="Ville", max_length=255)
    groupes_actions = forms.MultipleChoiceField(label="Ce qu'on peut y faire", choices=[],
                                                widget=forms.CheckboxSelectMultiple)
    telephone = forms.CharField(label="Téléphone", required=False, max_length=30)
    url = forms.URLField(label="Site web du lieu", required=False, max_length=500, assume_scheme="https")
    message = forms.CharField(label="Précisions", required=False, max_length=MESSAGE_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=f"{MESSAGE_MAX} caractères au plus")
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    field_order = ["nom", "adresse", "code_postal", "ville", "groupes_actions", "telephone", "url", "message",
                   "email", "site_web", "lon", "lat"]

    def __init__(self, *args, groupes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groupes_actions"].choices = groupes

    def clean_telephone(self):
        return _telephone(self.cleaned_data["telephone"].strip())


class ApparenceApercuForm(forms.Form):
    """The legend and branding a map configuration's preview gives in its URL (staff only, see
    `views._apparence`): each parameter given and valid replaces the saved one; an invalid one is
    left out (the preview keeps the saved value)."""

    legende = forms.TypedChoiceField(choices=[("0", "0"), ("1", "1")], coerce=lambda v: v == "1", required=False)
    filtres_visibles = forms.TypedChoiceField(choices=[("0", "0"), ("1", "1")], coerce=lambda v: v == "1",
                                              required=False)
    couleur = forms.RegexField(regex=r"^(#[0-9A-Fa-f]{6})?$", required=False)
    partenaire_nom = forms.CharField(max_length=120, required=False)
    partenaire_url = forms.URLField(max_length=500, required=False, assume_scheme="https")

    def apparence(self, saved: dict) -> dict:
        self.is_valid()
        data = dict(saved)
        for name in self.fields:
            if name in self.data and name not in self.errors:
                value = self.cleaned_data[name]
                if name == "partenaire_url" and value and not value.startswith("https://"):
                    continue
                data[name] = value
        return data
