// `npm run start:lan`: `npm start`, but reachable from phones on the same Wi-Fi. Listens on every
// interface (0.0.0.0) instead of 127.0.0.1 only, sets PUBLIC_ORIGIN to this machine's LAN address so the
// swarm's QR codes and join links point where a phone can go, and prints that address.
//   PUBLIC_ORIGIN=https://murmur.example.org npm run start:lan   use that origin instead (a tunnel, a proxy)
//   MURMUR_LAN_HOST=192.168.1.20 npm run start:lan               pick the address when there are several
// Run through tools/with-node.mjs, like `npm start`. Plain JavaScript.
import { spawn } from 'node:child_process';
import { lanAddresses, lanWranglerArgs } from './lan.mjs';

/** The `serve` script's port (package.json). */
const PORT = 8787;

const addresses = lanAddresses();
const host = process.env.MURMUR_LAN_HOST || addresses[0];
const publicOrigin = process.env.PUBLIC_ORIGIN || (host ? `http://${host}:${PORT}` : '');

function banner() {
	const lines = publicOrigin
		? [
				`Murmur on your network: open ${publicOrigin} on a phone or laptop on the same Wi-Fi.`,
				`On this machine: http://localhost:${PORT}. Swarm QR codes and join links use ${publicOrigin}.`,
				...(addresses.length > 1 && !process.env.PUBLIC_ORIGIN
					? [`Other addresses of this machine: ${addresses.slice(1).join(', ')} (MURMUR_LAN_HOST=<address> picks one).`]
					: []),
				'A phone that cannot connect: check it is on the same network, and allow port 8787 in the firewall.'
			]
		: [
				'No network address found (is Wi-Fi connected?): listening on every interface, but join links use the',
				'address you open the dashboard at. Set PUBLIC_ORIGIN=http://<this machine>:8787 to choose one.'
			];
	const width = Math.max(...lines.map((l) => l.length));
	console.log(`\n${'='.repeat(width)}\n${lines.join('\n')}\n${'='.repeat(width)}\n`);
}

banner();
const child = spawn('npm', ['run', 'serve', '--', ...lanWranglerArgs(publicOrigin)], {
	stdio: ['inherit', 'pipe', 'inherit'],
	shell: process.platform === 'win32'
});
// Say it again once wrangler is ready, since the build output has scrolled the first banner away.
let announced = false;
child.stdout.on('data', (chunk) => {
	process.stdout.write(chunk);
	if (!announced && /Ready on/.test(String(chunk))) {
		announced = true;
		banner();
	}
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
