"""The back office's browser tests use the root conftest's real browser and the suggestions'
flow-run environment (an apply is a flow run in a process of its own)."""

from geoapp.suggestions.tests.conftest import flow_run_env  # noqa: F401
