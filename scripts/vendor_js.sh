#!/usr/bin/env bash
# The JavaScript the app serves, vendored from the npm registry (versions locked by package.json /
# package-lock.json): `npm ci && bash scripts/vendor_js.sh` refreshes the copies committed under
# geoapp/static/vendor/ (served by the app: no CDN) and geoapp/carte/tests/vendor/ (the browser
# tests' accessibility checker), each beside its licence.
set -euo pipefail
cd "$(dirname "$0")/.."
copy() {  # package, file in the package, destination folder
  mkdir -p "$3"
  cp "node_modules/$1/$2" "$3/"
  if [ -f "node_modules/$1/LICENSE" ]; then cp "node_modules/$1/LICENSE" "$3/LICENSE"
  else  # (pmtiles ships none: its package.json names its licence)
    node -e "const p=require('./node_modules/$1/package.json');console.log(p.name+' '+p.version+': '+p.license+' (the licence its package.json names; the package ships no licence file)')" > "$3/LICENSE"
  fi
  node -e "console.log(require('./node_modules/$1/package.json').version)" > "$3/VERSION"
}
copy protomaps-leaflet dist/protomaps-leaflet.js geoapp/static/vendor/protomaps-leaflet
copy pmtiles dist/pmtiles.js geoapp/static/vendor/pmtiles
copy axe-core axe.min.js geoapp/carte/tests/vendor/axe-core
