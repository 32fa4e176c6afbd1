"""`bench/assistant.py`'s web server: the benchmark settings with the baseline search's URL."""

from bench.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls_assistant"
