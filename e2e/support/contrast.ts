import type { Page } from '@playwright/test';

export type LowContrast = { text: string; ratio: number; color: string; background: string };

/**
 * Every visible, enabled piece of text on the page whose contrast against the background behind it is
 * below `minimum` (WCAG 2 contrast ratio; AA asks 4.5 for body text). Colours are resolved by painting
 * them on a canvas, so any CSS colour syntax (oklch from Tailwind v4 included) ends up as sRGB bytes.
 * The background is the nearest ancestor's non-transparent background colour (images are not looked at).
 */
export async function lowContrastText(page: Page, minimum = 4.5): Promise<LowContrast[]> {
	return page.evaluate((minimum) => {
		const canvas = document.createElement('canvas');
		canvas.width = canvas.height = 1;
		const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
		const rgba = (css: string) => {
			ctx.clearRect(0, 0, 1, 1);
			ctx.fillStyle = css;
			ctx.fillRect(0, 0, 1, 1);
			return Array.from(ctx.getImageData(0, 0, 1, 1).data) as [number, number, number, number];
		};
		const luminance = ([r, g, b]: number[]) => {
			const [R, G, B] = [r!, g!, b!].map((v) => {
				const c = v / 255;
				return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
			});
			return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
		};
		const backgroundOf = (element: Element | null): string => {
			for (let e = element; e; e = e.parentElement) {
				const bg = getComputedStyle(e).backgroundColor;
				if (rgba(bg)[3] > 0) return bg;
			}
			return getComputedStyle(document.documentElement).backgroundColor || 'white';
		};
		const found: { text: string; ratio: number; color: string; background: string }[] = [];
		for (const element of document.body.querySelectorAll('*')) {
			const ownText = [...element.childNodes]
				.filter((n) => n.nodeType === Node.TEXT_NODE)
				.map((n) => n.textContent!.trim())
				.join(' ')
				.trim();
			if (!ownText || !(element as HTMLElement).checkVisibility?.({ opacityProperty: true })) continue;
			if (element.closest(':disabled, [aria-hidden="true"], .sr-only, option')) continue; // exempt by WCAG 1.4.3
			const style = getComputedStyle(element);
			const background = backgroundOf(element);
			const ratio = (() => {
				const [a, b] = [luminance(rgba(style.color)), luminance(rgba(background))];
				return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
			})();
			if (ratio < minimum)
				found.push({
					text: ownText.slice(0, 60),
					ratio: Math.round(ratio * 100) / 100,
					color: style.color,
					background
				});
		}
		return found;
	}, minimum);
}
