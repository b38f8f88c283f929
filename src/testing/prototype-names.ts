/**
 * Every own property name of Object.prototype: each is a valid client-chosen id (letters, digits, "_"
 * and "-"), and each once found something in a plain-object map that nobody had put there. Tests use
 * them as task, doc and workspace ids. Spelled out rather than read from Object.prototype at run time,
 * so a test's inputs are visible in its source; the reducer spec checks the list is still complete.
 */
export const PROTOTYPE_NAMES = [
	'constructor',
	'__proto__',
	'toString',
	'toLocaleString',
	'valueOf',
	'hasOwnProperty',
	'isPrototypeOf',
	'propertyIsEnumerable',
	'__defineGetter__',
	'__defineSetter__',
	'__lookupGetter__',
	'__lookupSetter__'
] as const;
