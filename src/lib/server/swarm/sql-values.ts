/** SQLite hands back numbers, strings, blobs or null; these narrow them for the row mappers. */
export type Row = Record<string, SqlStorageValue>;

export function num(value: SqlStorageValue): number {
	return typeof value === 'number' ? value : Number(value);
}
