import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** Serves an uploaded image from R2 with the type sniffed at upload time. Keys are unguessable UUIDs. */
export const GET: RequestHandler = async ({ params, platform, request }) => {
	if (!/^avatars\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/.test(params.key)) error(404, 'No such image.');
	const object = await platform!.env.IMAGES.get(params.key, { onlyIf: request.headers });
	if (!object) error(404, 'No such image.');
	const headers = new Headers();
	object.writeHttpMetadata(headers);
	headers.set('etag', object.httpEtag);
	// Keys never change content (a new upload gets a new key), so browsers may cache forever.
	headers.set('cache-control', 'public, max-age=31536000, immutable');
	if (!('body' in object)) return new Response(null, { status: 304, headers });
	return new Response(object.body, { headers });
};
