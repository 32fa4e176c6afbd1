"""The back office's browser tests share the map's real browser and its guard on outside requests,
and the suggestions' flow-run environment (an apply is a flow run in a process of its own)."""

from geoapp.carte.tests.conftest import browser, new_context, outside_requests  # noqa: F401
from geoapp.suggestions.tests.conftest import flow_run_env  # noqa: F401
