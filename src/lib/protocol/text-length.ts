/**
 * The length people see in a limit ("at most 60 characters"): Unicode code points, so "é", "ж" and "😀"
 * each count one, as in the counters beside the inputs. Not UTF-16 units (`.length` counts "😀" as two)
 * and not UTF-8 bytes (which made "4096" mean 1,024 emoji). Not grapheme clusters either: one cluster can
 * carry any number of combining marks, so a cluster limit would bound nothing, while a code point is at
 * most 4 bytes of UTF-8 — flags and emoji families, several code points each, count as several.
 */
export function characterCount(text: string): number {
	let count = 0;
	for (const _ of text) count++;
	return count;
}
