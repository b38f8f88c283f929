/**
 * Structured logs: one JSON object per line, which Workers Logs and `journalctl -o cat` both index.
 * Never pass tokens, cookies or passwords here.
 */
export function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) {
	const line = JSON.stringify({ level, msg, ...fields });
	if (level === 'error') console.error(line);
	else if (level === 'warn') console.warn(line);
	else console.log(line);
}
