import type { Capabilities } from '$lib/protocol/swarm';

/** What this browser can tell the swarm about itself (all optional APIs degrade to null). */
export async function detectCapabilities(name: string): Promise<Capabilities> {
	const nav = navigator as Navigator & {
		deviceMemory?: number;
		gpu?: {
			requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null>;
		};
	};
	let gpu: string | null = null;
	try {
		const adapter = await nav.gpu?.requestAdapter();
		const info = adapter?.info;
		if (adapter)
			gpu = (info?.description || [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'WebGPU').slice(
				0,
				128
			);
	} catch {
		gpu = null;
	}
	return {
		name: name.trim() || defaultDeviceName(),
		cores: Math.min(1024, Math.max(1, nav.hardwareConcurrency || 1)),
		memoryGb: typeof nav.deviceMemory === 'number' ? nav.deviceMemory : null,
		gpu,
		userAgent: nav.userAgent.slice(0, 512)
	};
}

/** "Chrome on Android" style names, so the owner can tell devices apart without typing. */
export function defaultDeviceName(): string {
	const ua = navigator.userAgent;
	const browser = /Edg\//.test(ua)
		? 'Edge'
		: /Firefox\//.test(ua)
			? 'Firefox'
			: /Chrome\//.test(ua)
				? 'Chrome'
				: /Safari\//.test(ua)
					? 'Safari'
					: 'Browser';
	const os = /Android/.test(ua)
		? 'Android'
		: /iPhone|iPad/.test(ua)
			? 'iOS'
			: /Mac OS/.test(ua)
				? 'macOS'
				: /Windows/.test(ua)
					? 'Windows'
					: /Linux/.test(ua)
						? 'Linux'
						: 'device';
	return `${browser} on ${os}`;
}
