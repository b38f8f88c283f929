/** The assistant's limits both sides know: the panel shows them as you type, the route refuses beyond them. */

/** Characters of one question: a paragraph of notes to turn into tasks fits; a pasted book does not. */
export const QUESTION_MAX = 4_000;
