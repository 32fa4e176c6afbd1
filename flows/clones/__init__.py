"""Clone flows (tag `clone`): one flow (`clone.py`) copies a reference dataset, declared in
`jeux.py`, from its official download into the warehouse's `reference` schema (`chargement.py`
for the mechanics); `tous.py` runs them all; one deployment per dataset in prefect.yaml."""
