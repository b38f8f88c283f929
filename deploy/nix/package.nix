# Murmur's self-host bundle (dist/selfhost/: murmur.capnp, the worker bundle, stores and static files) as a
# Nix package. Building the bundle needs Node (vite, wrangler's bundler), so it is built before, with
# `npm ci && npm run selfhost:bundle`, and handed in as `bundle`; the package and the server need no Node.
{
  lib,
  stdenvNoCC,
  bundle ? ../../dist/selfhost,
}:
stdenvNoCC.mkDerivation {
  pname = "murmur-selfhost";
  version = (lib.importJSON ../../package.json).version;
  src = bundle;
  dontConfigure = true;
  dontBuild = true;
  installPhase = ''
    runHook preInstall
    if [ ! -f murmur.capnp ] || [ ! -f generated/app.capnp ]; then
      echo "murmur: $src is not a self-host bundle; run 'npm run selfhost:bundle' first" >&2
      exit 1
    fi
    mkdir -p $out/share/murmur
    cp -r . $out/share/murmur/
    runHook postInstall
  '';
  meta = {
    description = "Murmur real-time apps, bundled for the workerd runtime";
    platforms = lib.platforms.linux;
  };
}
