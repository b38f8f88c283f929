// The workspace keeps its pending edits in IndexedDB and syncs over a socket: browser only.
export const ssr = false;
