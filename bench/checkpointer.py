"""WAL checkpoints off the request path, for the stall experiment (figure 9).

python -m bench.checkpointer DATABASE SECONDS LOG: a PASSIVE checkpoint every SECONDS (it copies
what no reader still needs from the WAL into the database and never waits for anyone), each one
logged as a JSON line (start time, seconds, frames in the WAL, frames checkpointed). Meant to run
beside a server whose connections have `PRAGMA wal_autocheckpoint=0`, so that no request's commit
runs a checkpoint (and its fsync) itself.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
import time


def main(argv: list[str]) -> None:
    path, every, log = argv[0], float(argv[1]), argv[2]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    connection = sqlite3.connect(path, timeout=10, isolation_level=None)
    connection.execute("PRAGMA busy_timeout=10000")
    with open(log, "a", encoding="utf-8") as out:
        while not stop:
            time.sleep(every)
            started, clock = time.time(), time.perf_counter()
            busy, frames, done = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            seconds = time.perf_counter() - clock
            out.write(
                json.dumps({"t": started, "s": seconds, "busy": busy, "wal": frames, "done": done}) + "\n"
            )
            out.flush()
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1:])
