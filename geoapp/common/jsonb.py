"""JSON values written to PostgreSQL by COPY, encoded by orjson (several times faster than the
standard library on the hundreds of thousands of rows a source run writes)."""

from __future__ import annotations

import json

import orjson
from psycopg.types.json import Jsonb


def json_dumps(obj) -> bytes | str:
    try:
        return orjson.dumps(obj)
    except TypeError:  # a value orjson refuses: the standard library's text
        return json.dumps(obj, default=str)


def jsonb(obj) -> Jsonb:
    """`obj` as a `jsonb` parameter, encoded by `json_dumps`."""
    return Jsonb(obj, json_dumps)
