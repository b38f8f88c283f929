# The workerd binary, fetched per platform from its npm package (@cloudflare/workerd-<platform>), the same
# file `npm install workerd` puts in node_modules. Keep `version` equal to package.json's "workerd".
# Hashes: `npm view @cloudflare/workerd-linux-64@<version> dist.integrity`.
{
  lib,
  stdenv,
  fetchurl,
  autoPatchelfHook,
}:
let
  version = "1.20261117.1";
  platforms = {
    x86_64-linux = {
      npmName = "workerd-linux-64";
      hash = "sha512-gZLA8X11m/luZwn+YA3+mDu61vdxNJzpksP/QZqjydKTQ+VUCulsK5gtn9Bqst1p3KJu2kafQpJ1nDQv4B23jA==";
    };
    aarch64-linux = {
      npmName = "workerd-linux-arm64";
      hash = "sha512-gxWngFojq41ULKNKb9rpWYvKotN5hT2I/xot+Bpy31cXzrwcTgtDLSMb2t75sW5BJxH7hihFvikgYb577kB3Zg==";
    };
  };
  platform =
    platforms.${stdenv.hostPlatform.system}
      or (throw "workerd: no npm binary for ${stdenv.hostPlatform.system}");
in
stdenv.mkDerivation {
  pname = "workerd";
  inherit version;
  src = fetchurl {
    url = "https://registry.npmjs.org/@cloudflare/${platform.npmName}/-/${platform.npmName}-${version}.tgz";
    inherit (platform) hash;
  };
  sourceRoot = "package";
  # The npm binary links only glibc (libc, libm, libdl, librt, libpthread); point it at Nix's.
  nativeBuildInputs = [ autoPatchelfHook ];
  dontConfigure = true;
  dontBuild = true;
  dontStrip = true;
  installPhase = ''
    runHook preInstall
    install -Dm755 bin/workerd $out/bin/workerd
    runHook postInstall
  '';
  doInstallCheck = true;
  installCheckPhase = ''
    $out/bin/workerd --version
  '';
  meta = {
    description = "Cloudflare's open-source JavaScript/Wasm runtime (npm binary)";
    homepage = "https://github.com/cloudflare/workerd";
    license = lib.licenses.asl20;
    platforms = builtins.attrNames platforms;
    mainProgram = "workerd";
    sourceProvenance = [ lib.sourceTypes.binaryNativeCode ];
  };
}
