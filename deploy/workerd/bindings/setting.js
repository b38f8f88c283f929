// A setting or secret read from the process environment (a `fromEnvironment` inner binding) and given to
// the app the way Cloudflare gives an unset one: absent (undefined). workerd itself would hand over null
// for an unset variable, and an empty line in an environment file (`JWT_SECRET=`) means unset too, so
// `env.X ?? fallback` and `if (!env.X)` behave as they do on Cloudflare and under wrangler dev.
export default function setting(env) {
	return env.value === null || env.value === undefined || env.value === '' ? undefined : env.value;
}
