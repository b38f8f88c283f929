#!/bin/sh
# `npm run selfhost` after the bundle step: runs the bundle on workerd, the binary from the `workerd` npm
# package (node_modules/.bin/workerd), with no Node process. Settings and secrets come from an environment
# file (default .env.selfhost, see deploy/murmur.env.example); PORT and MURMUR_DATA_DIR pick the address
# and the data directory. In production the systemd unit (deploy/systemd/murmur.service) runs the same
# command directly.
set -eu
cd "$(dirname "$0")/../.."
env_file="${MURMUR_ENV_FILE:-.env.selfhost}"
if [ -f "$env_file" ]; then
	set -a
	. "./$env_file"
	set +a
fi
data_dir="${MURMUR_DATA_DIR:-.selfhost-data}"
mkdir -p "$data_dir"
echo "selfhost: http://127.0.0.1:${PORT:-8080} (data in $data_dir)"
# The platform package holds the real binary; node_modules/.bin/workerd may be a Node launcher where the
# workerd package's install script did not run.
case "$(uname -s)-$(uname -m)" in
	Linux-x86_64) platform=linux-64 ;;
	Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
	Darwin-arm64) platform=darwin-arm64 ;;
	Darwin-x86_64) platform=darwin-64 ;;
	*) platform=unknown ;;
esac
workerd="node_modules/@cloudflare/workerd-$platform/bin/workerd"
[ -x "$workerd" ] || workerd=node_modules/.bin/workerd
exec "$workerd" serve dist/selfhost/murmur.capnp \
	--directory-path "data=$data_dir" \
	--directory-path static=dist/selfhost/assets \
	--socket-addr "http=${HOST:-127.0.0.1}:${PORT:-8080}"
