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

const weekdayDate = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const fullDate = new Intl.DateTimeFormat(undefined, {
	weekday: 'long',
	year: 'numeric',
	month: 'long',
	day: 'numeric'
});
const dayKey = (at: number) => new Date(at).toDateString();

/** Whether two times fall on the same local calendar day (a day separator goes between them if not). */
export function sameDay(a: number, b: number): boolean {
	return dayKey(a) === dayKey(b);
}

/** A day separator's label: "Today", "Yesterday", else the date (with the year when it is not this one). */
export function dayLabel(at: number, now = Date.now()): string {
	if (sameDay(at, now)) return 'Today';
	const yesterday = new Date(now);
	yesterday.setDate(yesterday.getDate() - 1); // calendar arithmetic: right across DST changes
	if (sameDay(at, yesterday.getTime())) return 'Yesterday';
	return new Date(at).getFullYear() === new Date(now).getFullYear() ? weekdayDate.format(at) : fullDate.format(at);
}

/**
 * Who reacted, for a reaction's tooltip: "You, Ada and 3 others reacted with 👍". `names` are the first
 * reactors' names (null: unknown, e.g. they left), `total` how many reacted, `meIndex` where the reader is
 * among `names` (-1: not).
 */
export function reactedLabel(emoji: string, names: (string | null)[], total: number, meIndex: number): string {
	const known = names.filter((name, i): name is string => i !== meIndex && name !== null);
	const shown = meIndex >= 0 ? ['You', ...known] : known;
	const others = total - shown.length;
	let people: string;
	if (others > 0)
		people = shown.length
			? `${shown.join(', ')} and ${others} other${others === 1 ? '' : 's'}`
			: `${others} ${others === 1 ? 'person' : 'people'}`;
	else people = shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
	return `${people} reacted with ${emoji}`;
}
