-- Telegram bot: the last handled update, the durable outgoing queue, dialog sessions and
-- the links between cases and chats. Instants are UTC text in store.timeLayout.

-- Small key/value state; key 'last_update_id' holds the update_id last handled, so a
-- restart asks getUpdates for the one after it (nothing repeated, nothing dropped).
CREATE TABLE bot_state (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- Outgoing messages, one row per part of a split message, sent in id order per chat.
-- Rows stay after sending (status 'sent') so a key is never sent twice; 'failed' rows are
-- kept for inspection and can be queued again.
CREATE TABLE bot_outbox (
	id              INTEGER PRIMARY KEY,
	key             TEXT,                           -- Outgoing.Key; NULL: no de-duplication
	part            INTEGER NOT NULL DEFAULT 1,     -- 1-based part of the message
	parts           INTEGER NOT NULL DEFAULT 1,
	chat_id         INTEGER NOT NULL,
	text            TEXT NOT NULL,
	buttons         TEXT NOT NULL DEFAULT '',       -- JSON [[{"text","data"}]]; last part only
	reply_to        INTEGER NOT NULL DEFAULT 0,     -- first part only
	contact_button  TEXT NOT NULL DEFAULT '',       -- last part only
	remove_keyboard INTEGER NOT NULL DEFAULT 0,     -- last part only
	case_id         TEXT NOT NULL DEFAULT '',       -- Outgoing.Link: linked once sent
	role            TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL DEFAULT 'pending', -- pending | sent | failed
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	message_id      INTEGER NOT NULL DEFAULT 0,     -- Telegram's id once sent (0: not told)
	created_at      TEXT NOT NULL,
	sent_at         TEXT
);

-- De-duplication: one message per key (NULL keys never collide).
CREATE UNIQUE INDEX bot_outbox_key ON bot_outbox (key, part);
-- The sender reads the oldest pending part of each chat through this index only.
CREATE INDEX bot_outbox_pending ON bot_outbox (chat_id, id) WHERE status = 'pending';
CREATE INDEX bot_outbox_failed ON bot_outbox (id) WHERE status = 'failed';

-- Dialog state per chat (the complaint being drafted, the question last asked).
CREATE TABLE bot_sessions (
	chat_id    INTEGER PRIMARY KEY,
	state      TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL
);

-- Which chats a case belongs to: the resident who filed it, the department group that got
-- its card (message_id: the card), the operator chat that filed it.
CREATE TABLE bot_case_chats (
	case_id    TEXT NOT NULL,
	chat_id    INTEGER NOT NULL,
	message_id INTEGER NOT NULL DEFAULT 0,
	role       TEXT NOT NULL,
	linked_at  TEXT NOT NULL,
	PRIMARY KEY (case_id, chat_id, role)
) WITHOUT ROWID;

CREATE INDEX bot_case_chats_chat ON bot_case_chats (chat_id, linked_at);
CREATE INDEX bot_case_chats_card ON bot_case_chats (chat_id, message_id) WHERE message_id <> 0;
