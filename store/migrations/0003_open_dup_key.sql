-- Duplicate candidates by topic are open cases only (routing.OpenStatuses), yet a busy topic
-- gathers thousands of closed and merged cases within 30 days: the old index made each
-- candidate query step over them, reading each row to check its status. Keep only open
-- cases in the index. The list must read exactly as store.openStatusSQL writes it, so that
-- the query's "status IN (…)" matches this WHERE (TestQueriesUseIndexes checks the plan).
DROP INDEX cases_dup_key;
CREATE INDEX cases_dup_key ON cases (dup_key, received_at)
	WHERE status IN ('dispatched', 'accepted', 'extension_requested', 'reopened', 'returned');
