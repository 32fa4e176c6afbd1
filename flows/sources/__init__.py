"""Source flows: fetch → archive raw → normalise → validate (quarantine) → diff → suggestions.

`clients/` holds one module per external protocol; the flows are one per file. The local servers
standing in for the outside world (tests, demo, bench) live apart, in `doublures/sources/`."""
