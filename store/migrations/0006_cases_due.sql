-- The overdue and escalation steps of the scheduler both wait for the deadline in force,
-- and the scheduler takes both at the same tick: their two partial indexes on due_at held
-- the same rows, and every filed case paid for two index inserts (two more pages in each
-- group commit). One index holds the open cases that still wait for either step; each
-- query adds its own flag. Its WHERE must read exactly as store's dueFlagsSQL writes it.
DROP INDEX cases_overdue;
DROP INDEX cases_escalation;
CREATE INDEX cases_due ON cases (due_at)
	WHERE due_at IS NOT NULL AND (overdue_at IS NULL OR escalated_at IS NULL);
