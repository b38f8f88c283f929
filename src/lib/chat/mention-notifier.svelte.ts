import { getContext, setContext } from 'svelte';
import { goto } from '$app/navigation';
import type { MentionNotice } from '$lib/protocol/chat-inbox';

type Permission = NotificationPermission | 'unsupported';

/** Where "Not now" is remembered, so the offer does not come back on every page. */
const DISMISSED_KEY = 'murmur.chat.notifications.dismissed';

/**
 * Browser notifications of @mentions (the Notification API), only after the person allowed them: the
 * chat offers it with a button they press (browsers ignore, or punish, a permission request on page
 * load), and "Not now" is remembered. A mention shows as a notification unless the person is looking at
 * that room right now; clicking it opens the room at the message. One per message even with several
 * tabs open: the tag makes the browser replace rather than stack them.
 */
export class MentionNotifier {
	permission: Permission = $state('unsupported');
	dismissed = $state(false);

	constructor() {
		if (typeof window === 'undefined' || !('Notification' in window)) return;
		this.permission = Notification.permission;
		try {
			this.dismissed = localStorage.getItem(DISMISSED_KEY) === '1';
		} catch {
			// Storage disabled: the offer shows again next time, which is all that is lost.
		}
	}

	/** Whether to offer turning notifications on: possible, not decided yet, not put off. */
	get offer(): boolean {
		return this.permission === 'default' && !this.dismissed;
	}

	/** From the offer's button (a user gesture, as browsers require). */
	async ask() {
		this.permission = await Notification.requestPermission();
	}

	dismiss() {
		this.dismissed = true;
		try {
			localStorage.setItem(DISMISSED_KEY, '1');
		} catch {
			// See the constructor.
		}
	}

	notify(notice: MentionNotice) {
		if (this.permission !== 'granted' || Notification.permission !== 'granted') return;
		const looking =
			document.visibilityState === 'visible' &&
			document.hasFocus() &&
			location.pathname === `/chat/${encodeURIComponent(notice.roomId)}`;
		if (looking) return;
		const notification = new Notification(`${notice.from} mentioned you in ${notice.roomName}`, {
			body: notice.text,
			tag: `murmur-mention-${notice.roomId}-${notice.messageId}`
		});
		notification.addEventListener('click', () => {
			window.focus();
			notification.close();
			void goto(`/chat/${encodeURIComponent(notice.roomId)}?message=${notice.seq}`);
		});
	}
}

/** "(2) Chat · Murmur" while mentions are unread, so a background tab shows it. */
export function titleWithMentions(title: string, mentions: number): string {
	return mentions > 0 ? `(${mentions}) ${title}` : title;
}

const CONTEXT = Symbol('murmur.chat.notifier');

export function provideNotifier(notifier: MentionNotifier): MentionNotifier {
	return setContext(CONTEXT, notifier);
}

export function useNotifier(): MentionNotifier | undefined {
	return getContext<MentionNotifier | undefined>(CONTEXT);
}
