-- Cases (案件), their audit events and the outbox of events to deliver.
-- Instants are UTC text in store.timeLayout (sorts in time order); NULL when unset.

CREATE TABLE cases (
	id               TEXT PRIMARY KEY,            -- BQ20261125-0001
	channel          TEXT NOT NULL,
	external_ref     TEXT,                        -- ticket_no / message id; NULL when none
	type             TEXT NOT NULL,
	text             TEXT NOT NULL,
	address          TEXT NOT NULL DEFAULT '',
	items            TEXT NOT NULL DEFAULT '[]',  -- JSON array of item ids
	department       TEXT NOT NULL,
	street           TEXT NOT NULL DEFAULT '',
	triage           INTEGER NOT NULL DEFAULT 0,
	reasons          TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
	confidence       REAL NOT NULL DEFAULT 0,
	name             TEXT NOT NULL DEFAULT '',    -- complainant; shown masked
	phone            TEXT NOT NULL DEFAULT '',
	anonymous        INTEGER NOT NULL DEFAULT 0,
	status           TEXT NOT NULL,
	received_at      TEXT NOT NULL,
	dispatched_at    TEXT,
	accept_by        TEXT,
	resolve_by       TEXT,
	calendar_covered INTEGER NOT NULL DEFAULT 1,
	accepted_at      TEXT,
	extension_days   INTEGER NOT NULL DEFAULT 0,
	extended_to      TEXT,
	replied_at       TEXT,
	reply            TEXT NOT NULL DEFAULT '',
	closed_at        TEXT,
	satisfaction     TEXT NOT NULL DEFAULT '',
	duplicate_of     TEXT,
	remind_at        TEXT,                        -- next reminder; NULL once sent or when not open
	reminder_sent_at TEXT,
	overdue_at       TEXT,
	escalated_at     TEXT,
	due_at           TEXT,                        -- deadline in force while open (routing.Case.DueAt); NULL otherwise
	dup_key          TEXT NOT NULL,               -- routing.DuplicateKey: first item or department
	version          INTEGER NOT NULL             -- Seq of the last event
);

-- Idempotent intake: one case per (channel, external_ref); NULLs (no ref) never collide.
CREATE UNIQUE INDEX cases_ref ON cases (channel, external_ref);

-- Duplicate candidates: same phone, or same topic, within 30 days.
CREATE INDEX cases_phone ON cases (phone, received_at) WHERE phone <> '';
CREATE INDEX cases_dup_key ON cases (dup_key, received_at);

-- Lists: a department's cases by status (newest first by rowid) and by deadline.
CREATE INDEX cases_department ON cases (department, status);
CREATE INDEX cases_department_due ON cases (department, due_at) WHERE due_at IS NOT NULL;

-- Scheduler: "due now" is a range scan of an index that holds only the cases still waiting
-- for that step; the step's event clears the column or sets the flag, dropping the row out.
CREATE INDEX cases_remind ON cases (remind_at) WHERE remind_at IS NOT NULL;
CREATE INDEX cases_overdue ON cases (due_at) WHERE due_at IS NOT NULL AND overdue_at IS NULL;
CREATE INDEX cases_escalation ON cases (due_at) WHERE due_at IS NOT NULL AND escalated_at IS NULL;

-- Audit trail: every transition, kept forever.
CREATE TABLE case_events (
	case_id          TEXT NOT NULL REFERENCES cases(id),
	seq              INTEGER NOT NULL,
	action           TEXT NOT NULL,
	actor_role       TEXT NOT NULL,
	actor_department TEXT NOT NULL DEFAULT '',
	actor_name       TEXT NOT NULL DEFAULT '',
	at               TEXT NOT NULL,
	reason           TEXT NOT NULL DEFAULT '',
	from_status      TEXT NOT NULL DEFAULT '',
	to_status        TEXT NOT NULL,
	data             TEXT,                        -- JSON object of strings, or NULL
	PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;

-- Outbox: events to deliver, written in the same transaction as the change they report.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	event_id        TEXT NOT NULL UNIQUE,         -- "<case>:<seq>:<target>", stable for receivers
	case_id         TEXT NOT NULL,
	seq             INTEGER NOT NULL,
	kind            TEXT NOT NULL,
	target          TEXT NOT NULL,                -- department code or channel name
	payload         TEXT NOT NULL,                -- JSON
	created_at      TEXT NOT NULL,
	next_attempt_at TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	status          TEXT NOT NULL DEFAULT 'pending', -- pending, delivered, dead
	last_error      TEXT NOT NULL DEFAULT '',
	delivered_at    TEXT
);

CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_dead ON outbox (id) WHERE status = 'dead';

-- Case id counter per Asia/Shanghai day.
CREATE TABLE case_counters (
	day TEXT PRIMARY KEY,                         -- YYYYMMDD
	n   INTEGER NOT NULL
) WITHOUT ROWID;
