# NixOS module: Murmur on workerd as a systemd service with its own user, data directory and environment
# file. In configuration.nix:
#
#   imports = [ /path/to/murmur/deploy/nix/module.nix ];
#   services.murmur = {
#     enable = true;
#     port = 8080;
#     environmentFile = "/etc/murmur/murmur.env";   # secrets, outside the Nix store
#   };
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.murmur;
  share = "${cfg.package}/share/murmur";
in
{
  options.services.murmur = {
    enable = lib.mkEnableOption "Murmur, self-hosted on the workerd runtime";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./package.nix { }";
      description = "The Murmur self-host bundle (built with `npm run selfhost:bundle`).";
    };

    workerdPackage = lib.mkOption {
      type = lib.types.package;
      default = pkgs.callPackage ./workerd.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./workerd.nix { }";
      description = "The workerd binary (fetched from its npm package).";
    };

    address = lib.mkOption {
      type = lib.types.str;
      default = "127.0.0.1";
      description = "Address to listen on. Keep it local and put a TLS reverse proxy in front.";
    };

    port = lib.mkOption {
      type = lib.types.port;
      default = 8080;
      description = "HTTP port.";
    };

    dataDir = lib.mkOption {
      type = lib.types.path;
      default = "/var/lib/murmur";
      description = "All persistent data (SQLite files of the Durable Objects, D1, KV and R2 stand-ins). Back it up.";
    };

    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = "/etc/murmur/murmur.env";
      description = "Settings and secrets (JWT_SECRET, ALLOWED_ORIGINS, ...), see deploy/murmur.env.example. Keep it out of the Nix store.";
    };

    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Open `port` in the firewall (only useful when `address` is not local).";
    };
  };

  config = lib.mkIf cfg.enable {
    users.users.murmur = {
      isSystemUser = true;
      group = "murmur";
      home = cfg.dataDir;
    };
    users.groups.murmur = { };

    systemd.tmpfiles.rules = [ "d ${cfg.dataDir} 0750 murmur murmur - -" ];

    networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [ cfg.port ];

    systemd.services.murmur = {
      description = "Murmur (self-hosted on workerd)";
      wantedBy = [ "multi-user.target" ];
      after = [ "network-online.target" ];
      wants = [ "network-online.target" ];
      serviceConfig = {
        User = "murmur";
        Group = "murmur";
        EnvironmentFile = lib.mkIf (cfg.environmentFile != null) cfg.environmentFile;
        WorkingDirectory = cfg.dataDir;
        ExecStart = lib.escapeShellArgs [
          (lib.getExe cfg.workerdPackage)
          "serve"
          "${share}/murmur.capnp"
          "--directory-path"
          "data=${cfg.dataDir}"
          "--directory-path"
          "static=${share}/assets"
          "--socket-addr"
          "http=${cfg.address}:${toString cfg.port}"
        ];
        Restart = "always";
        RestartSec = 2;
        TimeoutStopSec = 15;
        NoNewPrivileges = true;
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectControlGroups = true;
        RestrictAddressFamilies = [
          "AF_INET"
          "AF_INET6"
          "AF_UNIX"
        ];
        RestrictNamespaces = true;
        LockPersonality = true;
        ReadWritePaths = [ cfg.dataDir ];
      };
    };
  };
}
