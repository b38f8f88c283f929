/**
 * One connection status for every app's socket, shown the same way everywhere (ConnectionBadge):
 * - connecting: the first attempt is under way;
 * - online: open, and the browser says it is online;
 * - reconnecting: the socket dropped and partysocket is retrying with backoff;
 * - offline: the browser is offline (whatever the socket last said — a socket can look open for a while
 *   after the network went away);
 * - closed: the server ended the session for good (CloseCode final codes); `message` says why, and
 *   `reload` is set when only reloading the page can help (a new deploy).
 */
export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'closed';

export class ConnectionStatus {
	state: ConnectionState = $state('connecting');
	message: string | null = $state(null);
	reload = $state(false);
	/** Whether the socket itself is open (independent of the browser's online flag). */
	private socketOpen = false;
	private everOpened = false;
	private browserOnline = typeof navigator === 'undefined' ? true : navigator.onLine;

	opened() {
		this.socketOpen = this.everOpened = true;
		this.update();
	}

	dropped() {
		this.socketOpen = false;
		this.update();
	}

	network(online: boolean) {
		this.browserOnline = online;
		this.update();
	}

	ended(message: string, reload: boolean) {
		this.socketOpen = false;
		this.message = message;
		this.reload = reload;
		this.state = 'closed';
	}

	private update() {
		if (this.state === 'closed') return;
		if (!this.browserOnline) this.state = 'offline';
		else if (this.socketOpen) this.state = 'online';
		else this.state = this.everOpened ? 'reconnecting' : 'connecting';
	}
}
