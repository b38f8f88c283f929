/** The assistant's limits both sides know: the panel shows them as you type, the route refuses beyond them. */

/** Characters of one question: a paragraph of notes to turn into tasks fits; a pasted book does not. */
export const QUESTION_MAX = 4_000;

/**
 * Bytes of one conversation message's JSON parts, stored or broadcast (answers are capped well below it,
 * at 8,000 characters of text plus their tool parts).
 */
export const MESSAGE_MAX_BYTES = 64 * 1024;
