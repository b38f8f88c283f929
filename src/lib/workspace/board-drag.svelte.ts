import { tick } from 'svelte';
import { TASK_STATUSES, type TaskStatus } from '$lib/protocol/workspace-events';
import { columnTasks, orderAt, type Task, type WorkspaceState } from '$lib/protocol/workspace-reducer';

/** Where a dragged task would land: a column and its place among that column's other tasks. */
export interface DropTarget {
	status: TaskStatus;
	index: number;
}

export const COLUMN_LABEL: Record<TaskStatus, string> = { todo: 'To do', doing: 'Doing', done: 'Done' };

/** A mouse must travel this far before a press on the handle becomes a drag (a click stays a click). */
const MOUSE_DRAG_THRESHOLD_PX = 4;
/** Slack around a column's box that still counts as over it (the gap between columns is 16 px). */
const COLUMN_SLACK_PX = 12;
/** Near the viewport's top or bottom edge the page scrolls by itself, so a phone's stacked columns are reachable. */
const EDGE_SCROLL_ZONE_PX = 48;
const EDGE_SCROLL_MAX_PX_PER_FRAME = 14;

/** A column's box and the vertical middles of its other cards, in page coordinates, measured at pick-up. */
interface ColumnLayout {
	status: TaskStatus;
	left: number;
	right: number;
	top: number;
	bottom: number;
	middles: number[];
}

interface PointerDrag {
	pointerId: number;
	startX: number;
	startY: number;
	startScrollY: number;
	clientX: number;
	clientY: number;
	active: boolean;
	layout: ColumnLayout[];
}

/**
 * Moving a task on the board by dragging its handle — with a mouse, a finger or a pen, one code path
 * through pointer events (HTML5 drag and drop never fires on touch) — or with the keyboard: Space/Enter
 * picks the focused handle's task up, the arrow keys move it between columns and places, Space/Enter drops
 * it and Escape puts it back. Either way the drop is one `task.moved` event (status and fractional order),
 * the same the arrow buttons commit, so it is offline-first and syncs like every other edit. What a screen
 * reader should hear is left in `announcement` (the board renders it in a live region).
 */
export class BoardDrag {
	/** The task being moved, or null. */
	taskId: string | null = $state(null);
	mode: 'pointer' | 'keyboard' | null = $state(null);
	target: DropTarget | null = $state(null);
	/** How far the dragged card is drawn from its place (pointer drags only). */
	offset = $state({ x: 0, y: 0 });
	announcement = $state('');

	private pointer: PointerDrag | null = null;
	private scrollFrame = 0;

	constructor(
		private readonly board: () => WorkspaceState,
		private readonly root: () => HTMLElement | undefined,
		private readonly move: (task: Task, status: TaskStatus, order: number) => void
	) {}

	/** The other tasks of `status`'s column: a drop index counts these. */
	others(status: TaskStatus, taskId = this.taskId): Task[] {
		return columnTasks(this.board(), status).filter((t) => t.id !== taskId);
	}

	// ---- pointer (mouse, touch, pen) ---------------------------------------------------------------

	pointerDown(event: PointerEvent, task: Task) {
		if (!event.isPrimary || event.button !== 0 || this.taskId) return;
		const handle = event.currentTarget as HTMLElement;
		handle.setPointerCapture(event.pointerId);
		// No text selection while a mouse drags (it would also steal the drag on some pages).
		if (event.pointerType === 'mouse') event.preventDefault();
		this.pointer = {
			pointerId: event.pointerId,
			startX: event.clientX,
			startY: event.clientY,
			startScrollY: window.scrollY,
			clientX: event.clientX,
			clientY: event.clientY,
			active: false,
			layout: []
		};
		// A finger on the handle drags at once (the handle has touch-action: none, so the page does not pan).
		if (event.pointerType !== 'mouse') this.beginPointerDrag(task);
	}

	pointerMove(event: PointerEvent, task: Task) {
		const drag = this.pointer;
		if (!drag || event.pointerId !== drag.pointerId) return;
		drag.clientX = event.clientX;
		drag.clientY = event.clientY;
		if (!drag.active) {
			const moved = Math.hypot(event.clientX - drag.startX, event.clientY - drag.startY);
			if (moved < MOUSE_DRAG_THRESHOLD_PX) return;
			this.beginPointerDrag(task);
		}
		event.preventDefault();
		this.followPointer();
	}

	pointerUp(event: PointerEvent, task: Task) {
		const drag = this.pointer;
		if (!drag || event.pointerId !== drag.pointerId) return;
		if (drag.active) this.drop(task);
		this.endPointer();
	}

	/** pointercancel or lost capture: the system took the pointer; nothing moves. */
	pointerCancel(task: Task) {
		if (!this.pointer) return;
		if (this.pointer.active) this.cancel(task);
		this.endPointer();
	}

	private beginPointerDrag(task: Task) {
		const drag = this.pointer!;
		drag.active = true;
		this.taskId = task.id;
		this.mode = 'pointer';
		drag.layout = this.measure();
		this.target = { status: task.status, index: this.indexOf(task) };
		this.announcement = `Picked up ${quoted(task)}.`;
		window.addEventListener('keydown', this.escapeKey);
		this.scrollFrame = requestAnimationFrame(this.edgeScroll);
	}

	/** Redraws the card under the pointer and finds the drop target (page coordinates, so scrolling counts). */
	private followPointer() {
		const drag = this.pointer!;
		const scrolled = window.scrollY - drag.startScrollY;
		this.offset = { x: drag.clientX - drag.startX, y: drag.clientY - drag.startY + scrolled };
		const x = drag.clientX + window.scrollX;
		const y = drag.clientY + window.scrollY;
		const column = drag.layout.find(
			(c) =>
				x >= c.left - COLUMN_SLACK_PX &&
				x <= c.right + COLUMN_SLACK_PX &&
				y >= c.top - COLUMN_SLACK_PX &&
				y <= c.bottom + COLUMN_SLACK_PX
		);
		// Outside every column there is no target: letting go there puts the task back.
		this.target = column ? { status: column.status, index: column.middles.filter((m) => m < y).length } : null;
	}

	private edgeScroll = () => {
		const drag = this.pointer;
		if (!drag?.active) return;
		const fromBottom = window.innerHeight - drag.clientY;
		const speed =
			drag.clientY < EDGE_SCROLL_ZONE_PX
				? -(EDGE_SCROLL_ZONE_PX - drag.clientY)
				: fromBottom < EDGE_SCROLL_ZONE_PX
					? EDGE_SCROLL_ZONE_PX - fromBottom
					: 0;
		if (speed !== 0) {
			const before = window.scrollY;
			window.scrollBy(0, (speed / EDGE_SCROLL_ZONE_PX) * EDGE_SCROLL_MAX_PX_PER_FRAME);
			if (window.scrollY !== before) this.followPointer();
		}
		this.scrollFrame = requestAnimationFrame(this.edgeScroll);
	};

	private escapeKey = (event: KeyboardEvent) => {
		if (event.key !== 'Escape' || this.mode !== 'pointer') return;
		const task = this.taskId ? this.board().tasks.get(this.taskId) : undefined;
		if (task) this.cancel(task);
		this.endPointer();
	};

	private endPointer() {
		this.pointer = null;
		cancelAnimationFrame(this.scrollFrame);
		window.removeEventListener('keydown', this.escapeKey);
		if (this.mode === 'pointer') this.reset();
	}

	private measure(): ColumnLayout[] {
		const root = this.root();
		if (!root) return [];
		const page = (r: DOMRect) => ({
			left: r.left + window.scrollX,
			right: r.right + window.scrollX,
			top: r.top + window.scrollY,
			bottom: r.bottom + window.scrollY
		});
		return [...root.querySelectorAll<HTMLElement>('[data-drop-column]')].map((column) => ({
			status: column.dataset.dropColumn as TaskStatus,
			...page(column.getBoundingClientRect()),
			middles: [...column.querySelectorAll<HTMLElement>('[data-task-id]')]
				.filter((card) => card.dataset.taskId !== this.taskId)
				.map((card) => {
					const box = page(card.getBoundingClientRect());
					return (box.top + box.bottom) / 2;
				})
		}));
	}

	// ---- keyboard ---------------------------------------------------------------------------------

	/** Keys on a task's handle. Returns nothing; handled keys have their default (scrolling, clicking) stopped. */
	keyDown(event: KeyboardEvent, task: Task) {
		const pickOrDrop = event.key === ' ' || event.key === 'Enter';
		if (this.mode !== 'keyboard') {
			if (!pickOrDrop || this.taskId) return;
			event.preventDefault();
			this.taskId = task.id;
			this.mode = 'keyboard';
			this.target = { status: task.status, index: this.indexOf(task) };
			this.announcement =
				`Picked up ${quoted(task)} in ${this.where(this.target, task.id)}. ` +
				'Arrow keys move it, Space or Enter drops it, Escape cancels.';
			return;
		}
		const target = this.target!;
		const column = TASK_STATUSES.indexOf(target.status);
		let next: DropTarget | null = null;
		if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
			const status = TASK_STATUSES[column + (event.key === 'ArrowLeft' ? -1 : 1)];
			if (status) next = { status, index: Math.min(target.index, this.others(status).length) };
		} else if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
			const index = target.index + (event.key === 'ArrowUp' ? -1 : 1);
			if (index >= 0 && index <= this.others(target.status).length) next = { status: target.status, index };
		} else if (pickOrDrop) {
			event.preventDefault();
			return this.drop(task);
		} else if (event.key === 'Escape') {
			event.preventDefault();
			return this.cancel(task);
		} else return;
		event.preventDefault();
		if (!next) return; // already at that edge: the announcement stays as it was
		this.target = next;
		this.announcement = `${quoted(task)}: ${this.where(next, task.id)}.`;
	}

	/** Focus left the handle mid-move (Tab, a click elsewhere): the task stays where it was. */
	blur(task: Task) {
		if (this.mode === 'keyboard' && this.taskId === task.id) this.cancel(task);
	}

	// ---- drop -------------------------------------------------------------------------------------

	private drop(task: Task) {
		const target = this.target;
		const wasKeyboard = this.mode === 'keyboard';
		this.reset();
		if (!target) return void (this.announcement = `${quoted(task)} stays in ${COLUMN_LABEL[task.status]}.`);
		const unchanged = target.status === task.status && target.index === this.indexOf(task);
		if (unchanged) {
			this.announcement = `${quoted(task)} stays in ${COLUMN_LABEL[task.status]}.`;
		} else {
			this.move(task, target.status, orderAt(this.board(), target.status, target.index, task.id));
			this.announcement =
				target.status === task.status
					? `Moved ${quoted(task)} to ${this.where(target, task.id)}.`
					: `Moved ${quoted(task)} to ${COLUMN_LABEL[target.status]}.`;
		}
		// The card is drawn anew in its new column: give the keyboard its handle back there.
		if (wasKeyboard) void this.refocus(task.id);
	}

	private cancel(task: Task) {
		this.reset();
		this.announcement = `Move cancelled: ${quoted(task)} stays in ${COLUMN_LABEL[task.status]}.`;
	}

	private reset() {
		this.taskId = null;
		this.mode = null;
		this.target = null;
		this.offset = { x: 0, y: 0 };
	}

	private async refocus(taskId: string) {
		await tick();
		const card = [...(this.root()?.querySelectorAll<HTMLElement>('[data-task-id]') ?? [])].find(
			(el) => el.dataset.taskId === taskId
		);
		card?.querySelector<HTMLElement>('[data-drag-handle]')?.focus();
	}

	private indexOf(task: Task): number {
		return columnTasks(this.board(), task.status).findIndex((t) => t.id === task.id);
	}

	/** "Doing, position 2 of 3": the moving task counted once, in the column it would land in. */
	private where(target: DropTarget, taskId: string): string {
		const count = this.others(target.status, taskId).length + 1;
		return `${COLUMN_LABEL[target.status]}, position ${target.index + 1} of ${count}`;
	}
}

function quoted(task: Task): string {
	return `“${task.title}”`;
}
