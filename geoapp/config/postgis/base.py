"""The web app's database backend: PostGIS, whose health check costs no round trip when it can.

With persistent connections and `CONN_HEALTH_CHECKS`, Django checks the connection at each
request's first query with a `SELECT 1`: a round trip to PostgreSQL per request, as costly on a
loaded machine as a short query (a third of a nearest-100 request's wall time under load). An idle
connection the server closed (restart, `pg_terminate_backend`, idle timeout) has its socket
readable (the server's last message, then end of file): when nothing is readable and libpq sees the
connection as good, it is as usable as the `SELECT 1` would tell; otherwise the `SELECT 1` decides.

It is django-prometheus's PostGIS backend: connections, queries, their durations and errors are
counted for `/metrics`."""

from __future__ import annotations

import select

from django_prometheus.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper
from psycopg import pq


class DatabaseWrapper(PostGISDatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        try:
            poll = select.poll()
            poll.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
            readable = bool(poll.poll(0))
        except (OSError, ValueError):
            return False
        if not readable and self.connection.pgconn.status == pq.ConnStatus.OK:
            return True
        return super().is_usable()
