-- Rounds of handling (办理轮次, routing.Round): a reopen (重办) ends a round, and the case's own
-- columns then start the next one; the ended round is kept here so that its acceptance, reply,
-- rating and timeliness are never lost. Instants as in cases (UTC, store.timeLayout).
CREATE TABLE case_rounds (
	case_id       TEXT NOT NULL REFERENCES cases(id),
	n             INTEGER NOT NULL,              -- 1-based
	department    TEXT NOT NULL,
	dispatched_at TEXT,
	accept_by     TEXT,
	resolve_by    TEXT,
	extended_to   TEXT,
	accepted_at   TEXT,
	replied_at    TEXT,
	reply         TEXT NOT NULL DEFAULT '',
	closed_at     TEXT,
	satisfaction  TEXT NOT NULL DEFAULT '',
	overdue_at    TEXT,
	escalated_at  TEXT,
	reopened_at   TEXT NOT NULL,
	PRIMARY KEY (case_id, n)
) WITHOUT ROWID;

-- Cases reopened before this migration: their ended rounds are rebuilt from the audit trail.
-- Round n ends at the n-th reopen event; it starts at the last dispatch, undone duplicate or
-- reopen before that (seq "st"), whose data holds its deadlines; acceptance, extension, flags,
-- reply, close and rating are the last such events after its start. Event data holds instants
-- as RFC 3339 +08:00: strftime turns them into the stored UTC form.
WITH r AS (
	SELECT case_id, seq, at,
		ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY seq) AS n,
		COALESCE(LAG(seq) OVER (PARTITION BY case_id ORDER BY seq), 0) AS prev
	FROM case_events WHERE action = 'reopen'
), s AS (
	SELECT r.*, (SELECT MAX(e.seq) FROM case_events e WHERE e.case_id = r.case_id AND e.seq >= r.prev
		AND e.seq < r.seq AND e.action IN ('dispatch', 'undo_duplicate', 'reopen')) AS st
	FROM r
)
INSERT INTO case_rounds (case_id, n, department, dispatched_at, accept_by, resolve_by, extended_to,
	accepted_at, replied_at, reply, closed_at, satisfaction, overdue_at, escalated_at, reopened_at)
SELECT s.case_id, s.n,
	COALESCE((SELECT json_extract(e.data, '$.department') FROM case_events e WHERE e.case_id = s.case_id
		AND e.seq < s.seq AND e.action IN ('dispatch', 'undo_duplicate') ORDER BY e.seq DESC LIMIT 1), c.department),
	(SELECT e.at FROM case_events e WHERE e.case_id = s.case_id AND e.seq = s.st),
	(SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000Z', json_extract(e.data, '$.accept_by'))
		FROM case_events e WHERE e.case_id = s.case_id AND e.seq = s.st),
	(SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000Z', json_extract(e.data, '$.resolve_by'))
		FROM case_events e WHERE e.case_id = s.case_id AND e.seq = s.st),
	(SELECT strftime('%Y-%m-%dT%H:%M:%S.000000000Z', json_extract(e.data, '$.extended_to')) FROM case_events e
		WHERE e.case_id = s.case_id AND e.seq > s.st AND e.seq < s.seq AND e.action = 'grant_extension'
		ORDER BY e.seq DESC LIMIT 1),
	(SELECT e.at FROM case_events e WHERE e.case_id = s.case_id AND e.seq > s.st AND e.seq < s.seq
		AND e.action = 'accept' ORDER BY e.seq DESC LIMIT 1),
	(SELECT e.at FROM case_events e WHERE e.case_id = s.case_id AND e.seq > s.st AND e.seq < s.seq
		AND e.action = 'reply' ORDER BY e.seq DESC LIMIT 1),
	COALESCE((SELECT json_extract(e.data, '$.reply') FROM case_events e WHERE e.case_id = s.case_id
		AND e.seq > s.st AND e.seq < s.seq AND e.action = 'reply' ORDER BY e.seq DESC LIMIT 1), ''),
	(SELECT e.at FROM case_events e WHERE e.case_id = s.case_id AND e.seq > s.st AND e.seq < s.seq
		AND e.action = 'close' ORDER BY e.seq DESC LIMIT 1),
	COALESCE((SELECT json_extract(e.data, '$.satisfaction') FROM case_events e WHERE e.case_id = s.case_id
		AND e.seq = s.seq), ''),
	(SELECT e.at FROM case_events e WHERE e.case_id = s.case_id AND e.seq > s.st AND e.seq < s.seq
		AND e.action = 'mark_overdue' ORDER BY e.seq DESC LIMIT 1),
	(SELECT e.at FROM case_events e WHERE e.case_id = s.case_id AND e.seq > s.st AND e.seq < s.seq
		AND e.action = 'escalate' ORDER BY e.seq DESC LIMIT 1),
	s.at
FROM s JOIN cases c ON c.id = s.case_id;
