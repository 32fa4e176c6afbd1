"""Test doubles of the outside world: local servers speaking the real protocols on 127.0.0.1, for
the tests, the demo and the benchmarks. Production code never imports this package (a test checks
it); only the demo entry points (`flows/*/demo.py`) start these servers.

- `doublures.sources`: the sources' HTTP server (data-fair, CMA, pharmacies, SINOE, geocoder),
  its seeded record generator and an S3 server (moto); `python -m doublures.sources` runs them in
  a process of their own;
- `doublures.fichiers`: a file server of the bundled `data/` extracts, for the clone flows;
- `doublures.ban`: the BAN geocoding API protocol, answered by the offline geocoder;
- `doublures.datagouv`: the data.gouv.fr API (datasets and their resources), for the open-data export."""
