/**
 * The highest message seq a reader has reached in a message list: every message whose top has come above
 * the list's bottom edge (it is on screen, or was scrolled past). Messages are `[data-seq]` elements in
 * seq order, so the search walks up from the newest and stops at the first one reached.
 * Null when the reader is not looking: the tab is hidden or another window has the focus.
 */
export function seenUpTo(list: HTMLElement): number | null {
	if (document.visibilityState !== 'visible' || !document.hasFocus()) return null;
	const bottom = list.getBoundingClientRect().bottom;
	const messages = list.querySelectorAll<HTMLElement>('[data-seq]');
	for (let i = messages.length - 1; i >= 0; i--) {
		const element = messages[i]!;
		if (element.getBoundingClientRect().top < bottom - 4) return Number(element.dataset.seq);
	}
	return null;
}
