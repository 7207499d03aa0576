"""SQLite's write-ahead log, copied back into the database file off the commit path.

By default the connection that commits also checkpoints: once the log passes 1,000
pages, the COMMIT that crossed it copies the log's pages into the database file and
syncs both files before it returns. Under load that was about five commits a second,
each 4-8 ms (up to 21) during which the writer took nothing else, so every command
batched behind it waited too.

Here a thread with a connection of its own copies the log back every fraction of a
second (a passive checkpoint, which never waits for the writer nor makes it wait), and
the writer checkpoints only when the log has grown past `WRITER_PAGES`. That last step
is still needed: a passive checkpoint that a commit overlaps leaves the log's newest
pages behind, so under steady writes only the writer, holding the write lock, can find
the log wholly copied and start it over. By then the thread has copied nearly all of
it, so the writer's turn is short, and it comes about once a second at full load.
"""

from __future__ import annotations

import sqlite3
import threading

import structlog

log = structlog.get_logger("roundtable.sqlite")

# How often the thread copies the log back (seconds).
INTERVAL = 0.2
# The log's size, in pages, past which the committing connection checkpoints itself:
# about 40 MB with 4 KB pages, within the part of its file the log keeps
# (`server.db.WAL_KEPT_BYTES`).
WRITER_PAGES = 10_000


class Checkpointer:
    """One thread copying the log of the database file `path` back into it."""

    def __init__(self, path: str, *, interval: float = INTERVAL) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread; the writer's own checkpoints and the last close remain."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        try:
            db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            log.warning("sqlite checkpoints off", path=self.path, error=str(exc))
            return
        try:
            while not self._stop.wait(self.interval):
                self._once(db)
        finally:
            db.close()

    @staticmethod
    def _once(db: sqlite3.Connection) -> None:
        try:
            # Copies what no reader still needs and returns, busy or not.
            db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            # A locked or vanished file: the writer's own checkpoint still bounds the log.
            log.debug("sqlite checkpoint skipped", error=str(exc))
