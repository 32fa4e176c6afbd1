"""No model of its own: the back office's screens are admin classes over the domain apps' models
(`admin.py`); this module makes Django send this app's post_migrate (the roles, `apps.py`)."""
