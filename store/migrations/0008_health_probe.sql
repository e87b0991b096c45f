-- One row that /healthz rewrites (store.DB.ProbeWrite) to learn whether the database still
-- takes writes: a full disk or a read-only file fails this write as it fails a ticket's.
CREATE TABLE health_probe (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	probed_at TEXT NOT NULL
);
