-- Idempotency with a check: a webhook's ticket_no / message_id repeated with other content
-- is another ticket under a reused number, not a repeat (routing.NewCase.Fingerprint).
-- fingerprint is the digest of the request that filed the case; '' for cases filed
-- without one (CLI, bot, and every case filed before this migration), which keep plain
-- idempotency. It is read with the case by cases_ref and needs no index of its own.
ALTER TABLE cases ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
