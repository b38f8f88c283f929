import { mkdirSync } from 'node:fs';
import { WorkerdProcess } from '../../deploy/workerd/test/workerd-process.mjs';

/**
 * The self-hosted server as production runs it: dist/selfhost/murmur.capnp on the workerd binary, data
 * and static files given on the command line. Settings come from the environment, as from the systemd
 * EnvironmentFile; none are set here, which is the "fresh install, nothing configured" case.
 */
export function selfhostServer() {
	const dataDir = process.env.SELFHOST_DATA_DIR;
	if (!dataDir)
		throw new Error('Run through `node e2e/selfhost/run.mjs` (it sets SELFHOST_DATA_DIR and SELFHOST_PORT).');
	mkdirSync(dataDir, { recursive: true });
	return new WorkerdProcess({
		config: 'dist/selfhost/murmur.capnp',
		port: Number(process.env.SELFHOST_PORT),
		directories: { data: dataDir, static: 'dist/selfhost/assets' },
		readyPath: '/api/health'
	});
}
