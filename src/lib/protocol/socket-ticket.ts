/**
 * The wire of socket tickets (Pages shape with PUBLIC_REALTIME_URL), shared by the browser's openChannel and
 * the socket routes; src/lib/server/realtime/socket-ticket.ts signs and verifies them.
 */

/** The header a page sends to its socket route to get `{ url }` (with a ticket) instead of an upgrade. */
export const TICKET_REQUEST_HEADER = 'x-murmur-socket-ticket';
/** The query parameter the ticket rides in on the realtime worker (browsers cannot set WebSocket headers). */
export const TICKET_PARAM = 'ticket';
