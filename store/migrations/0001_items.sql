-- List versions: each import of the published item list (证明事项清单) is kept whole.
-- The built-in list is embedded in the binary and never stored here.
CREATE TABLE list_versions (
	id          INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: a deleted version's name "v<id>" is never reused
	label       TEXT NOT NULL,
	effective   TEXT NOT NULL,                     -- YYYY-MM-DD, Asia/Shanghai calendar date
	source_file TEXT,
	imported_at TEXT NOT NULL,                     -- RFC 3339 UTC
	item_count  INTEGER NOT NULL
);

CREATE TABLE list_items (
	version_id   INTEGER NOT NULL REFERENCES list_versions(id) ON DELETE CASCADE,
	pos          INTEGER NOT NULL, -- row order of the published list
	id           TEXT NOT NULL,
	certificate  TEXT NOT NULL,
	matter       TEXT NOT NULL,
	mode         TEXT NOT NULL,
	department   TEXT NOT NULL,
	issuer       TEXT NOT NULL DEFAULT '',
	basis        TEXT NOT NULL DEFAULT '',
	verification TEXT NOT NULL DEFAULT '',
	domain       TEXT NOT NULL DEFAULT '',
	aliases      TEXT NOT NULL DEFAULT '', -- "|"-joined
	note         TEXT NOT NULL DEFAULT '',
	source       TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (version_id, id)
);

CREATE UNIQUE INDEX list_items_version_pos ON list_items (version_id, pos);
