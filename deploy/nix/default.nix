# `nix-build deploy/nix -A murmur` (after `npm run selfhost:bundle`) or `-A workerd`.
{
  pkgs ? import <nixpkgs> { },
}:
rec {
  workerd = pkgs.callPackage ./workerd.nix { };
  murmur = pkgs.callPackage ./package.nix { };
}
