// Seeded, dependency-free test data for the codec benchmark and tests: nothing is downloaded and every
// run sees the same bytes. Sizes follow the issue: a 66 KB JSON document, a 1 KB chat message, 10 MB of
// English-like text and 1 MB of random bytes.

/** mulberry32: tiny, fast, good enough to make data (not for cryptography). */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function randomBytes(length: number, seed: number): Uint8Array {
	const next = seededRandom(seed);
	const out = new Uint8Array(length);
	for (let i = 0; i < length; i++) out[i] = (next() * 256) | 0;
	return out;
}

// The ~200 most frequent English words, in frequency order, so a Zipf draw gives English-like statistics.
const WORDS = (
	'the of and to a in is it you that he was for on are with as I his they be at one have this from or ' +
	'had by hot word but what some we can out other were all there when up use your how said an each she ' +
	'which do their time if will way about many then them write would like so these her long make thing ' +
	'see him two has look more day could go come did number sound no most people my over know water than ' +
	'call first who may down side been now find any new work part take get place made live where after ' +
	'back little only round man year came show every good me give our under name very through just form ' +
	'sentence great think say help low line differ turn cause much mean before move right boy old too ' +
	'same tell does set three want air well also play small end put home read hand port large spell add ' +
	'even land here must big high such follow act why ask men change went light kind off need house ' +
	'picture try us again animal point mother world near build self earth father head stand own page ' +
	'should country found answer school grow study still learn plant cover food sun four between state ' +
	'keep eye never last let thought city tree cross farm hard start might story saw far sea draw left ' +
	'late run while press close night real life few north open seem together next white children begin'
).split(' ');

/** Zipf-distributed word index (s = 1): what makes natural text compress the way it does. */
function zipfPicker(next: () => number, n: number): () => number {
	const cumulative: number[] = [];
	let total = 0;
	for (let k = 1; k <= n; k++) cumulative.push((total += 1 / k));
	return () => {
		const target = next() * total;
		let lo = 0;
		let hi = n - 1;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (cumulative[mid] < target) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	};
}

function englishLikeString(length: number, seed: number): string {
	const next = seededRandom(seed);
	const pick = zipfPicker(next, WORDS.length);
	const parts: string[] = [];
	let size = 0;
	let sentenceStart = true;
	let wordsInSentence = 0;
	while (size < length) {
		let word = WORDS[pick()];
		if (sentenceStart) word = word[0].toUpperCase() + word.slice(1);
		sentenceStart = false;
		wordsInSentence++;
		let sep = ' ';
		if (wordsInSentence > 6 && next() < 0.12) {
			sep = next() < 0.15 ? '.\n\n' : next() < 0.1 ? '? ' : '. ';
			sentenceStart = true;
			wordsInSentence = 0;
		} else if (next() < 0.06) {
			sep = ', ';
		}
		parts.push(word, sep);
		size += word.length + sep.length;
	}
	return parts.join('').slice(0, length);
}

const utf8 = new TextEncoder();

export function englishLikeText(length: number, seed: number): Uint8Array {
	return utf8.encode(englishLikeString(length, seed));
}

function chatMessage(next: () => number, id: number, seed: number) {
	return {
		id: `msg_${(id * 2654435761) >>> 0}`,
		seq: 1000 + id,
		room: 'general',
		author: { id: `usr_${Math.floor(next() * 40)}`, name: `User ${Math.floor(next() * 40)}` },
		sentAt: new Date(Date.UTC(2026, 10, 23, 9, 0, 0) + id * 7_919).toISOString(),
		text: englishLikeString(40 + Math.floor(next() * 200), seed + id),
		reactions: next() < 0.3 ? [{ emoji: '👍', count: 1 + Math.floor(next() * 5) }] : [],
		edited: next() < 0.05
	};
}

/** A room snapshot (history page) of 66 KB: the size of a big real packet. */
export function sampleJsonDocument(targetBytes = 66 * 1024): Uint8Array {
	const next = seededRandom(66);
	const messages: ReturnType<typeof chatMessage>[] = [];
	let size = 64;
	while (size < targetBytes) {
		const message = chatMessage(next, messages.length, 660);
		size += JSON.stringify(message).length + 1;
		messages.push(message);
	}
	return utf8.encode(JSON.stringify({ type: 'history', room: 'general', messages }));
}

/** One chat message with some metadata, about 1 KB: the most common packet. */
export function chatMessageJson(): Uint8Array {
	const next = seededRandom(1);
	const message = { ...chatMessage(next, 1, 10), text: englishLikeString(780, 12) };
	return utf8.encode(JSON.stringify({ type: 'message', message }));
}
