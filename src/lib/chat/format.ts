/** The reactions offered in the picker; any single emoji is accepted by the room. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "14:05" today, a date and time otherwise. */
export function timeLabel(at: number, now = Date.now()): string {
	const sameDay = new Date(at).toDateString() === new Date(now).toDateString();
	return sameDay ? time.format(at) : dateTime.format(at);
}

/** "Ada is typing…", "Ada and Bo are typing…", "Ada, Bo and 2 others are typing…". */
export function typingLabel(names: string[]): string {
	if (names.length === 0) return '';
	if (names.length === 1) return `${names[0]} is typing…`;
	if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
	return `${names[0]}, ${names[1]} and ${names.length - 2} other${names.length === 3 ? '' : 's'} are typing…`;
}
