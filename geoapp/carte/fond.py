"""Plain local background tiles (PNG, drawn in pure Python): the demo and the tests never ask a
tile server on the internet. Production sets MAP_TILES_URL to a real one."""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

SIZE = 256
FOND = (0xEE, 0xF2, 0xEC)  # pale land
GRILLE = (0xD5, 0xDD, 0xD2)  # the tile's edges


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=1)
def tuile_fond_png() -> bytes:
    edge = bytes(GRILLE) * SIZE
    inner = bytes(GRILLE) + bytes(FOND) * (SIZE - 1)
    raw = b"".join(b"\x00" + (edge if row == 0 else inner) for row in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
