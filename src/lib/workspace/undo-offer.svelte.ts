/** How long "Undo" is offered after a delete; paused while the pointer or focus is on the toast. */
export const UNDO_OFFER_MS = 6_000;

/**
 * The last deletion's way back, as Linear and Slack do it: the delete is committed at once (it syncs
 * like any edit) and, for a few seconds, `undo()` commits the compensating event that restores what was
 * deleted. Only the latest deletion is offered, so nothing piles up.
 */
export class UndoOffer {
	current: { message: string; undo: () => void } | null = $state(null);

	private timer: ReturnType<typeof setTimeout> | null = null;
	private deadline = 0;
	private remaining = 0;

	offer(message: string, undo: () => void, ms = UNDO_OFFER_MS) {
		this.dismiss();
		this.current = { message, undo };
		this.remaining = ms;
		this.resume();
	}

	undo() {
		const offered = this.current;
		this.dismiss();
		offered?.undo();
	}

	dismiss() {
		this.stopTimer();
		this.current = null;
	}

	pause() {
		if (!this.timer) return;
		this.stopTimer();
		this.remaining = Math.max(0, this.deadline - Date.now());
	}

	resume() {
		if (!this.current || this.timer) return;
		this.deadline = Date.now() + this.remaining;
		this.timer = setTimeout(() => this.dismiss(), this.remaining);
	}

	private stopTimer() {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
	}
}
