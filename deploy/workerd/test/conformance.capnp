# The D1/KV/R2/Queue stand-ins and the transpiler worker under test (run.mjs), bound exactly as murmur.capnp
# binds them for the app, with fixture migrations in place of the generated drizzle/ bundle. The transpiler's
# modules are the assembled bundle's (`npm run selfhost:assemble` writes dist/selfhost first). Paths are
# relative to this file; run.mjs gives the data directory with --directory-path and the address with
# --socket-addr.

@0xd4a0c6b2e81f3a59;

using Workerd = import "/workerd/workerd.capnp";
using Transpiler = import "../../../dist/selfhost/generated/transpiler.capnp";

const config :Workerd.Config = (
  services = [
    (name = "harness", worker = .harness),
    (name = "stores", worker = .stores),
    (name = "murmur-transpiler", worker = .transpiler),
    (name = "data", disk = (writable = true)),
  ],
  sockets = [(name = "http", service = "harness", http = ())],
  extensions = [(modules = [
    (name = "murmur-internal:r2-bucket", internal = true, esModule = embed "../bindings/r2.js"),
    (name = "murmur-internal:queue", internal = true, esModule = embed "../bindings/queue.js"),
  ])],
);

const harness :Workerd.Worker = (
  modules = [
    (name = "harness.js", esModule = embed "harness.js"),
    (name = "checks.js", esModule = embed "checks.js"),
    (name = "conformance.js", esModule = embed "conformance.js"),
    (name = "transpiler-checks.js", esModule = embed "transpiler-checks.js"),
    (name = "queue-conformance.js", esModule = embed "queue-conformance.js"),
    (name = "queue-batch.js", esModule = embed "../bindings/queue-batch.js"),
  ],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "DB", wrapped = (
      moduleName = "cloudflare-internal:d1-api",
      innerBindings = [(name = "fetcher", service = (
        name = "stores", entrypoint = "D1Service", props = (json = "{\"database\": \"conformance\"}")))])),
    (name = "KV", kvNamespace = (
      name = "stores", entrypoint = "KvService", props = (json = "{\"namespace\": \"conformance\"}"))),
    (name = "R2", wrapped = (
      moduleName = "murmur-internal:r2-bucket",
      innerBindings = [(name = "store", service = (
        name = "stores", entrypoint = "R2Service", props = (json = "{\"bucket\": \"conformance\"}")))])),
    (name = "D1_STORE", durableObjectNamespace = (className = "D1Store", serviceName = "stores")),
    (name = "QUEUE", wrapped = (
      moduleName = "murmur-internal:queue",
      innerBindings = [(name = "service", service = (
        name = "stores", entrypoint = "QueueService", props = (json = "{\"queue\": \"conformance\"}")))])),
    (name = "TRANSPILER", service = "murmur-transpiler"),
  ],
);

const transpiler :Workerd.Worker = (
  modules = Transpiler.modules,
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "TRANSPILE_CACHE", kvNamespace = (
      name = "stores", entrypoint = "KvService", props = (json = "{\"namespace\": \"transpile-cache\"}"))),
  ],
);

const stores :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = embed "../stores/index.js"),
    (name = "d1-service.js", esModule = embed "../stores/d1-service.js"),
    (name = "d1-store.js", esModule = embed "../stores/d1-store.js"),
    (name = "kv-service.js", esModule = embed "../stores/kv-service.js"),
    (name = "kv-store.js", esModule = embed "../stores/kv-store.js"),
    (name = "r2-service.js", esModule = embed "../stores/r2-service.js"),
    (name = "r2-store.js", esModule = embed "../stores/r2-store.js"),
    (name = "chunks.js", esModule = embed "../stores/chunks.js"),
    (name = "migrations.js", esModule = embed "fixture-migrations.js"),
    (name = "queue-service.js", esModule = embed "../stores/queue-service.js"),
    (name = "queue-store.js", esModule = embed "../stores/queue-store.js"),
  ],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "D1_STORE", durableObjectNamespace = "D1Store"),
    (name = "KV_STORE", durableObjectNamespace = "KvStore"),
    (name = "R2_STORE", durableObjectNamespace = "R2Store"),
    (name = "QUEUE_STORE", durableObjectNamespace = "QueueStore"),
    # Small batches and few retries, so the checks see batching, retries and the drop quickly.
    (name = "QUEUE_CONSUMER", service = (name = "harness", entrypoint = "QueueDelivery")),
    (name = "QUEUE_CONSUMERS", json = "{\"conformance\": {\"maxBatchSize\": 10, \"maxBatchTimeoutMs\": 200, \"maxRetries\": 2, \"retryDelaySeconds\": 0}}"),
  ],
  durableObjectNamespaces = [
    (className = "D1Store", uniqueKey = "test-D1Store", enableSql = true),
    (className = "KvStore", uniqueKey = "test-KvStore", enableSql = true),
    (className = "R2Store", uniqueKey = "test-R2Store", enableSql = true),
    (className = "QueueStore", uniqueKey = "test-QueueStore", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "data"),
);
