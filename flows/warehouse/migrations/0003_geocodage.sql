-- Geocoding over the cloned BAN: the normalisation shared by the clone (precomputed columns) and
-- the offline geocoder (geoapp/geocodage/normalisation.py does exactly the same in Python).
-- lower case, no accents, punctuation → spaces, the usual abbreviations of street types and
-- titles expanded, ordinals reduced to their number ("11e", "1er", "11ème" → "11").
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE OR REPLACE FUNCTION reference.normaliser_adresse(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(coalesce(m.complet, s.tok), ' ' ORDER BY s.ord), '')
  FROM regexp_split_to_table(
         btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, coalesce(t, ''))), '[^a-z0-9]+', ' ', 'g')),
         ' ') WITH ORDINALITY AS r(brut, ord)
  CROSS JOIN LATERAL (SELECT regexp_replace(r.brut, '^([0-9]+)(er|ere|e|eme|nd|nde)$', '\1') AS tok, r.ord) s
  LEFT JOIN (VALUES
    ('bd', 'boulevard'), ('bld', 'boulevard'), ('boul', 'boulevard'), ('blvd', 'boulevard'),
    ('av', 'avenue'), ('ave', 'avenue'), ('avn', 'avenue'),
    ('r', 'rue'), ('pl', 'place'), ('fg', 'faubourg'), ('fbg', 'faubourg'), ('imp', 'impasse'),
    ('sq', 'square'), ('pass', 'passage'), ('psg', 'passage'), ('ch', 'chemin'), ('chem', 'chemin'),
    ('rte', 'route'), ('all', 'allee'), ('crs', 'cours'), ('qu', 'quai'), ('prom', 'promenade'),
    ('vla', 'villa'), ('sent', 'sentier'), ('carr', 'carrefour'), ('rpt', 'rond point'),
    ('st', 'saint'), ('ste', 'sainte'), ('mal', 'marechal'), ('gal', 'general'), ('gen', 'general'),
    ('pdt', 'president'), ('dr', 'docteur'), ('prof', 'professeur'), ('cdt', 'commandant'),
    ('lt', 'lieutenant'), ('cne', 'capitaine'), ('arr', 'arrondissement'), ('ardt', 'arrondissement')
  ) AS m(abrege, complet) ON m.abrege = s.tok
  WHERE s.tok <> ''
$$;

-- A street name = its type ("rue", "avenue", ... first word) + its core (the rest without the
-- little words "de", "la", ...). The fuzzy match compares cores: "rue du blablabla" must not look
-- like "rue du bac" just because both are "rue du …".
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

CREATE OR REPLACE FUNCTION reference.type_voie(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(substring(v from '^(rue|avenue|boulevard|place|impasse|allee|passage|square|quai|cours|villa|cite|chemin|route|sentier|promenade|carrefour|rond point|port|pont|esplanade|galerie|hameau|voie|sente|jardin|parvis|cour|ruelle|villa|porte)( |$)'), '')
$$;

CREATE OR REPLACE FUNCTION reference.noyau_voie(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT btrim(regexp_replace(
           regexp_replace(substr(v, length(reference.type_voie(v)) + 1), '\m(de|du|des|la|le|les|l|d)\M', ' ', 'g'),
           ' +', ' ', 'g'))
$$;
