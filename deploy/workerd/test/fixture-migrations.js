// Stands in for the generated stores/migrations.js in conformance.capnp: two drizzle-style migrations, the
// second seeding a row, so applying a migration twice would show as a duplicate row.
export default [
	{
		name: '0000_fixture.sql',
		sql: 'CREATE TABLE `fixture_notes` (\n\t`id` integer PRIMARY KEY NOT NULL,\n\t`body` text NOT NULL\n);\n--> statement-breakpoint\nCREATE INDEX `fixture_notes_body` ON `fixture_notes` (`body`);'
	},
	{
		name: '0001_seed.sql',
		sql: "INSERT INTO `fixture_notes` (`body`) VALUES ('seeded by a migration');"
	}
];
