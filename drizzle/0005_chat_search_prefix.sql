-- Chat search: prefix indexes for 2-, 3- and 4-character prefixes (hand-written, `drizzle-kit generate
-- --custom`). Without them a prefix query (`kaka*`) merges the doclist of every word that starts with it on
-- each search: over 100,000 messages that was 330–420 ms where a word takes 50 ms (npm run bench:search).
-- FTS5 fixes its options at creation, so the table is made again and rebuilt from chat_search_docs (external
-- content: the text is there, nothing is lost); the triggers of 0004 name the table, not its options, and
-- keep working. The rebuild reads every row once (100,000 messages: under a second).
DROP TABLE `chat_search`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `chat_search` USING fts5(
	`text`,
	content = 'chat_search_docs',
	content_rowid = 'rowid',
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4'
);
--> statement-breakpoint
INSERT INTO `chat_search` (`chat_search`) VALUES ('rebuild');
