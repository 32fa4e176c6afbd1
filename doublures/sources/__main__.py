"""Run the stand-in servers in their own process: `python -m doublures.sources --size N`.
Prints one JSON line with their URLs, then serves until killed (the benchmark uses it, so that
the generated data do not count in the measured process's memory)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from .s3 import DoublureS3
from .serveur import DoublureSources, ReglagesDoublure


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with DoublureSources(ReglagesDoublure(seed=args.seed, size=args.size)) as http, DoublureS3(size=args.size, seed=args.seed) as s3:
        print(json.dumps({"http": http.url, "s3": s3.url}), flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    sys.exit(0)


if __name__ == "__main__":
    main()
