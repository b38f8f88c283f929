-- Chat search (hand-written: drizzle cannot describe FTS5 virtual tables or triggers; made with
-- `drizzle-kit generate --custom`, so the journal and snapshots stay consistent).
-- One row per indexed message, written only by the CHAT_INDEX queue consumer (src/lib/server/chat/search/).
-- `version` is the message's change counter (the room's rev at its last edit or delete): an upsert or delete
-- only lands when it is newer, so redelivered or reordered queue messages never bring old text back. A
-- deleted message stays as a tombstone (empty text, deleted = 1) for the same reason.
CREATE TABLE `chat_search_docs` (
	`rowid` integer PRIMARY KEY,
	`room_id` text NOT NULL,
	`message_id` text NOT NULL,
	`seq` integer NOT NULL,
	`author_id` text NOT NULL,
	`author_name` text NOT NULL,
	`created_at` integer NOT NULL,
	`version` integer NOT NULL,
	`deleted` integer NOT NULL,
	`text` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_search_docs_message` ON `chat_search_docs` (`room_id`, `message_id`);
--> statement-breakpoint
-- The full-text index over the rows above (external content: the text is stored once, in chat_search_docs).
-- unicode61 with diacritics removed: "cafe" finds "café".
CREATE VIRTUAL TABLE `chat_search` USING fts5(
	`text`,
	content = 'chat_search_docs',
	content_rowid = 'rowid',
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `chat_search_docs_ai` AFTER INSERT ON `chat_search_docs` BEGIN
	INSERT INTO chat_search (rowid, text) VALUES (new.rowid, new.text);
END;
--> statement-breakpoint
CREATE TRIGGER `chat_search_docs_ad` AFTER DELETE ON `chat_search_docs` BEGIN
	INSERT INTO chat_search (chat_search, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
--> statement-breakpoint
CREATE TRIGGER `chat_search_docs_au` AFTER UPDATE OF `text` ON `chat_search_docs` BEGIN
	INSERT INTO chat_search (chat_search, rowid, text) VALUES ('delete', old.rowid, old.text);
	INSERT INTO chat_search (rowid, text) VALUES (new.rowid, new.text);
END;
