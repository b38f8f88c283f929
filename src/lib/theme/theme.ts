/**
 * The colour theme a person picked: follow the OS (prefers-color-scheme), or always light or dark.
 * The choice lives in localStorage under THEME_KEY; the inline script in src/app.html reads the same key
 * before first paint (so a dark page never flashes light), and applyTheme() keeps <html class="dark"> in
 * step afterwards. Keep the two in agreement.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_KEY = 'theme';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const prefersDark = () => matchMedia('(prefers-color-scheme: dark)');

export function savedTheme(): ThemeChoice {
	try {
		const value = localStorage.getItem(THEME_KEY);
		return THEME_CHOICES.find((choice) => choice === value) ?? 'system';
	} catch {
		return 'system'; // storage blocked (private mode, policy): the OS decides
	}
}

export function saveTheme(choice: ThemeChoice) {
	try {
		if (choice === 'system') localStorage.removeItem(THEME_KEY);
		else localStorage.setItem(THEME_KEY, choice);
	} catch {
		// Not remembered, but still applied to this page.
	}
	applyTheme(choice);
}

export function applyTheme(choice: ThemeChoice) {
	const dark = choice === 'dark' || (choice === 'system' && prefersDark().matches);
	document.documentElement.classList.toggle('dark', dark);
}

/** While the choice is "system", follows the OS switching between light and dark; returns the unsubscribe. */
export function followSystemTheme(current: () => ThemeChoice): () => void {
	const query = prefersDark();
	const onChange = () => {
		if (current() === 'system') applyTheme('system');
	};
	query.addEventListener('change', onChange);
	return () => query.removeEventListener('change', onChange);
}
