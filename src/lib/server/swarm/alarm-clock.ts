import { nextAlarmAt, type AlarmInputs } from './lifecycle';

/**
 * The coordinator's one alarm (lifecycle.ts decides when it is due). Moves it earlier when needed, never
 * later, and caches its time so most events do not read it from storage.
 */
export class AlarmClock {
	/** Cached alarm time; undefined after a wake-up until read from storage. */
	private alarmAt: number | null | undefined;

	constructor(private readonly storage: DurableObjectStorage) {}

	/** The alarm is running: it no longer stands. */
	fired(): void {
		this.alarmAt = null;
	}

	async schedule(inputs: AlarmInputs): Promise<void> {
		const desired = nextAlarmAt(inputs);
		if (desired === null) return;
		if (this.alarmAt === undefined) this.alarmAt = await this.storage.getAlarm();
		if (this.alarmAt === null || this.alarmAt > desired) {
			await this.storage.setAlarm(desired);
			this.alarmAt = desired;
		}
	}
}
