# Murmur on the bare, open-source workerd runtime: no Node.js, no wrangler, no Cloudflare account.
#
#   workerd serve dist/selfhost/murmur.capnp \
#     --directory-path data=/var/lib/murmur --directory-path static=dist/selfhost/assets \
#     --socket-addr http=127.0.0.1:8080
#
# `npm run selfhost:bundle` copies this file unchanged into dist/selfhost/, next to what it embeds: the
# worker bundle that `wrangler deploy --dry-run` writes (its module names are content-hashed, so their list
# is generated into generated/app.capnp), the transpiler worker's bundle (generated/transpiler.capnp,
# from dist/transpiler: its esbuild.wasm name is content-hashed too), the drizzle/ migrations (generated into stores/migrations.js),
# and the small workers in this folder. Paths in `embed` are relative to this file; `disk` paths are
# relative to the working directory, which is why both disks are normally set on the command line.
#
# Keep compatibilityDate/Flags and the bindings in step with wrangler.toml: the bundle step refuses to
# build when a wrangler.toml binding or var is missing here, or the dates differ.

@0xb3c6f1e2a4d50e71;

using Workerd = import "/workerd/workerd.capnp";
using App = import "generated/app.capnp";
using Transpiler = import "generated/transpiler.capnp";

const config :Workerd.Config = (
  services = [
    (name = "murmur", worker = .murmur),
    # The transpiler worker (transpiler/), named as wrangler.toml's TRANSPILER service binding names it.
    (name = "murmur-transpiler", worker = .transpiler),
    (name = "stores", worker = .stores),
    (name = "assets", worker = .assets),
    (name = "nocache", worker = .nocache),

    # Everything that persists: Durable Object SQLite files, one subdirectory per `uniqueKey` below (the
    # app's realtime objects and the D1/KV/R2 stand-ins). Back this directory up; see README.
    (name = "data", disk = (path = ".selfhost-data", writable = true)),
    # SvelteKit's static build output (the bundle's assets/ folder), read-only.
    (name = "static", disk = (path = "dist/selfhost/assets", writable = false)),
  ],

  sockets = [
    # Put a TLS-terminating reverse proxy in front (Caddy, nginx). It must set X-Forwarded-Proto, so
    # SvelteKit sees https URLs (secure cookies, CSRF origin check), and CF-Connecting-IP to the client's
    # address, which sign-in throttling keys on (without it all clients share one bucket).
    (name = "http", address = "127.0.0.1:8080", service = "murmur",
     http = (forwardedProtoHeader = "X-Forwarded-Proto")),
  ],

  extensions = [(modules = [
    (name = "murmur-internal:r2-bucket", internal = true, esModule = embed "bindings/r2.js"),
    (name = "murmur-internal:setting", internal = true, esModule = embed "bindings/setting.js"),
    (name = "murmur-internal:queue", internal = true, esModule = embed "bindings/queue.js"),
  ])],
);

# The app: SvelteKit's handler and the realtime Durable Objects (src/worker.ts), bundled by wrangler.
const murmur :Workerd.Worker = (
  modules = App.modules,
  compatibilityDate = "2026-11-01",
  # no_web_socket_compression: permessage-deflate refused on every socket, as in wrangler.toml.
  compatibilityFlags = ["nodejs_als", "no_web_socket_compression"],
  bindings = [
    (name = "ASSETS", service = "assets"),

    (name = "CHAT_ROOM", durableObjectNamespace = "ChatRoom"),
    (name = "SWARM_COORDINATOR", durableObjectNamespace = "SwarmCoordinator"),
    (name = "WORKSPACE_SYNC", durableObjectNamespace = "WorkspaceSync"),
    (name = "RELAY_ROOM", durableObjectNamespace = "RelayRoom"),
    (name = "CHAT_INBOX", durableObjectNamespace = "ChatInbox"),

    # Job modules → ES modules, over RPC to the transpiler worker's default entrypoint.
    (name = "TRANSPILER", service = "murmur-transpiler"),

    # D1: workerd's own D1 client class (what Cloudflare runs), talking D1's protocol to a SQLite Durable
    # Object in the stores worker that applies drizzle/ migrations when it starts.
    (name = "DB", wrapped = (
      moduleName = "cloudflare-internal:d1-api",
      innerBindings = [(name = "fetcher", service = (
        name = "stores", entrypoint = "D1Service", props = (json = "{\"database\": \"murmur\"}")))])),

    # KV: workerd's own KV binding, talking KV's protocol to a Durable Object in the stores worker.
    (name = "WORKSPACE_CLAIMS_VERSION", kvNamespace = (
      name = "stores", entrypoint = "KvService", props = (json = "{\"namespace\": \"workspace-claims-version\"}"))),

    # R2: R2's Workers API (bindings/r2.js) over a Durable Object in the stores worker.
    (name = "IMAGES", wrapped = (
      moduleName = "murmur-internal:r2-bucket",
      innerBindings = [(name = "store", service = (
        name = "stores", entrypoint = "R2Service", props = (json = "{\"bucket\": \"murmur-images\"}")))])),

    # Queue producer: Cloudflare's Queue API (bindings/queue.js) over a Durable Object in the stores worker,
    # which delivers batches back to this worker's queue() handler (QueueDelivery, src/worker.ts).
    (name = "CHAT_INDEX", wrapped = (
      moduleName = "murmur-internal:queue",
      innerBindings = [(name = "service", service = (
        name = "stores", entrypoint = "QueueService", props = (json = "{\"queue\": \"murmur-chat-index\"}")))])),

    # Settings and secrets from the process environment (systemd EnvironmentFile, deploy/murmur.env.example).
    # Unset or empty means absent, as on Cloudflare.
    (name = "ALLOWED_ORIGINS", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "ALLOWED_ORIGINS")])),
    (name = "PUBLIC_ORIGIN", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "PUBLIC_ORIGIN")])),
    (name = "CHAT_RATE_LIMIT", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "CHAT_RATE_LIMIT")])),
    (name = "JWT_SECRET", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "JWT_SECRET")])),
    (name = "SERVER_BYPASS_TOKEN", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "SERVER_BYPASS_TOKEN")])),
    (name = "REQUIRE_AUTH", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "REQUIRE_AUTH")])),
    (name = "GRACE_PERIOD_SECONDS", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "GRACE_PERIOD_SECONDS")])),
    # The workspace assistant: an OpenAI-compatible endpoint, its model, and its key (a secret).
    (name = "LLM_BASE_URL", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "LLM_BASE_URL")])),
    (name = "LLM_MODEL", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "LLM_MODEL")])),
    (name = "LLM_API_KEY", wrapped = (moduleName = "murmur-internal:setting",
      innerBindings = [(name = "value", fromEnvironment = "LLM_API_KEY")])),
  ],
  # uniqueKey names each class's directory under the data disk: never change them, or the data is orphaned.
  durableObjectNamespaces = [
    (className = "ChatRoom", uniqueKey = "murmur-ChatRoom", enableSql = true),
    (className = "SwarmCoordinator", uniqueKey = "murmur-SwarmCoordinator", enableSql = true),
    (className = "WorkspaceSync", uniqueKey = "murmur-WorkspaceSync", enableSql = true),
    (className = "RelayRoom", uniqueKey = "murmur-RelayRoom", enableSql = true),
    (className = "ChatInbox", uniqueKey = "murmur-ChatInbox", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "data"),
  # SvelteKit's worker uses caches.default; without a backend every request fails "No Cache was configured".
  cacheApiOutbound = "nocache",
);

# TypeScript job modules → ES modules (esbuild-wasm), as transpiler/wrangler.toml deploys it on Cloudflare;
# its cache is a KV namespace of the stores worker, like the app's.
const transpiler :Workerd.Worker = (
  modules = Transpiler.modules,
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "TRANSPILE_CACHE", kvNamespace = (
      name = "stores", entrypoint = "KvService", props = (json = "{\"namespace\": \"transpile-cache\"}"))),
  ],
);

# On-disk stand-ins for D1, KV, R2 and Queues (stores/): one SQLite Durable Object per database/namespace/
# bucket/queue.
const stores :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = embed "stores/index.js"),
    (name = "d1-service.js", esModule = embed "stores/d1-service.js"),
    (name = "d1-store.js", esModule = embed "stores/d1-store.js"),
    (name = "kv-service.js", esModule = embed "stores/kv-service.js"),
    (name = "kv-store.js", esModule = embed "stores/kv-store.js"),
    (name = "r2-service.js", esModule = embed "stores/r2-service.js"),
    (name = "r2-store.js", esModule = embed "stores/r2-store.js"),
    (name = "chunks.js", esModule = embed "stores/chunks.js"),
    (name = "migrations.js", esModule = embed "stores/migrations.js"),
    (name = "queue-service.js", esModule = embed "stores/queue-service.js"),
    (name = "queue-store.js", esModule = embed "stores/queue-store.js"),
  ],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "D1_STORE", durableObjectNamespace = "D1Store"),
    (name = "KV_STORE", durableObjectNamespace = "KvStore"),
    (name = "R2_STORE", durableObjectNamespace = "R2Store"),
    (name = "QUEUE_STORE", durableObjectNamespace = "QueueStore"),
    # Where queues deliver, and each queue's consumer settings: wrangler.toml's [[queues.consumers]].
    (name = "QUEUE_CONSUMER", service = (name = "murmur", entrypoint = "QueueDelivery")),
    (name = "QUEUE_CONSUMERS", json = "{\"murmur-chat-index\": {\"maxBatchSize\": 100, \"maxBatchTimeoutMs\": 1000, \"maxRetries\": 10, \"retryDelaySeconds\": 2}}"),
  ],
  durableObjectNamespaces = [
    (className = "D1Store", uniqueKey = "murmur-D1Store", enableSql = true),
    (className = "KvStore", uniqueKey = "murmur-KvStore", enableSql = true),
    (className = "R2Store", uniqueKey = "murmur-R2Store", enableSql = true),
    (className = "QueueStore", uniqueKey = "murmur-QueueStore", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "data"),
);

const assets :Workerd.Worker = (
  modules = [(name = "assets.js", esModule = embed "assets.js")],
  compatibilityDate = "2026-11-01",
  bindings = [(name = "DISK", service = "static")],
);

const nocache :Workerd.Worker = (
  modules = [(name = "nocache.js", esModule = embed "nocache.js")],
  compatibilityDate = "2026-11-01",
);
