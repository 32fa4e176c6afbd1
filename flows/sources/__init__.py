"""Source flows: fetch → archive raw → normalise → validate (quarantine) → diff → suggestions.

`clients/` holds one module per external protocol, `stand_in/` the local servers standing in for
the outside world (tests, demo, bench); the flows are one per file."""
