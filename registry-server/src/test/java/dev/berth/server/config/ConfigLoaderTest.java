package dev.berth.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.gc.GcOptions;
import dev.berth.server.tls.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    static final String MINIMAL = "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /data\n";

    @Test
    void noFileIsTheEmbeddedDefault() {
        ServerConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.storage().driver()).isEqualTo("filesystem");
        assertThat(c.storage().parameters().get("rootdirectory"))
                .isEqualTo(Path.of("berth-data").toAbsolutePath().toString());
        assertThat(c.storage().deleteEnabled()).isTrue();
        assertThat(c.http().bindHost()).isEqualTo("0.0.0.0");
        assertThat(c.http().port()).isEqualTo(5000);
        assertThat(c.http().tls()).isEmpty();
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void aFileFollowsDistributionsDefaults() {
        ServerConfig c = ConfigLoader.parse(MINIMAL, Map.of());
        assertThat(c.storage().parameters()).isEqualTo(Map.of("rootdirectory", "/data"));
        assertThat(c.storage().deleteEnabled()).as("distribution keeps deletes off unless enabled").isFalse();
        assertThat(c.http().prefix()).isEmpty();
        assertThat(c.http().http2()).isTrue();
        assertThat(c.log().level()).isEqualTo("info");
        assertThat(c.catalogMaxEntries()).isEqualTo(1000);
    }

    @Test
    void readsEveryKeyItHonours() {
        ServerConfig c = ConfigLoader.parse("""
                version: 0.1
                log: {level: debug, formatter: json, accesslog: {disabled: true}}
                storage:
                  inmemory: {}
                  delete: {enabled: true}
                  redirect: {disable: true}
                http:
                  addr: 127.0.0.1:5443
                  prefix: /registry/
                  host: https://registry.example.com/
                  secret: s3cr3t
                  relativeurls: true
                  draintimeout: 1m30s
                  http2: {disabled: true}
                  headers:
                    X-Content-Type-Options: [nosniff]
                    X-Frame-Options: DENY
                  tls:
                    certificate: /certs/server.crt
                    key: /certs/server.key
                    clientcas: [/certs/ca1.crt, /certs/ca2.crt]
                    minimumtls: tls1.3
                    ciphersuites: [TLS_AES_128_GCM_SHA256]
                  debug:
                    addr: localhost:5001
                    prometheus: {enabled: true, path: /prom}
                catalog: {maxentries: 50}
                """, Map.of());
        assertThat(c.warnings()).isEmpty();
        assertThat(c.log()).isEqualTo(new ServerConfig.Log("debug", "json", false));
        assertThat(c.storage().driver()).isEqualTo("inmemory");
        assertThat(c.storage().deleteEnabled()).isTrue();
        assertThat(c.storage().redirectDisabled()).isTrue();
        ServerConfig.Http h = c.http();
        assertThat(h.bindHost()).isEqualTo("127.0.0.1");
        assertThat(h.port()).isEqualTo(5443);
        assertThat(h.prefix()).isEqualTo("/registry");
        assertThat(h.host()).contains("https://registry.example.com");
        assertThat(h.relativeUrls()).isTrue();
        assertThat(h.drainTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(h.http2()).isFalse();
        assertThat(h.headers()).isEqualTo(Map.of("X-Content-Type-Options", List.of("nosniff"),
                "X-Frame-Options", List.of("DENY")));
        assertThat(h.tls()).contains(new TlsSettings(Path.of("/certs/server.crt"), Path.of("/certs/server.key"),
                List.of(Path.of("/certs/ca1.crt"), Path.of("/certs/ca2.crt")), "tls1.3",
                List.of("TLS_AES_128_GCM_SHA256")));
        assertThat(h.debug()).contains(new ServerConfig.Debug("localhost", 5001, true, "/prom"));
        assertThat(c.catalogMaxEntries()).isEqualTo(50);
        assertThat(c.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void environmentOverridesTheFileWithYamlValuesInSortedOrder() {
        ServerConfig c = ConfigLoader.parse(MINIMAL + "http:\n  addr: :5000\n  tls:\n    certificate: /a.crt\n"
                + "    key: /a.key\n", Map.of(
                "REGISTRY_HTTP_ADDR", "127.0.0.1:6000",
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/elsewhere",
                "REGISTRY_STORAGE_DELETE_ENABLED", "true",
                "REGISTRY_HTTP_TLS_CLIENTCAS_0", "/ca0.crt",
                "REGISTRY_HTTP_TLS_CLIENTCAS_1", "/ca1.crt",
                "REGISTRY_HTTP_HEADERS", "{X-A: [1, 2]}",
                "REGISTRY_HTTP_HEADERS_X-B", "[3]",
                "REGISTRY_CONFIGURATION_PATH", "/not/a/key.yml",
                "PATH", "/usr/bin"));
        assertThat(c.http().port()).isEqualTo(6000);
        assertThat(c.storage().parameters()).isEqualTo(Map.of("rootdirectory", "/elsewhere"));
        assertThat(c.storage().deleteEnabled()).isTrue();
        assertThat(c.http().tls().orElseThrow().clientCas()).containsExactly(Path.of("/ca0.crt"), Path.of("/ca1.crt"));
        // REGISTRY_HTTP_HEADERS sorts before REGISTRY_HTTP_HEADERS_X-B: the longer path adds to the shorter's map.
        assertThat(c.http().headers()).isEqualTo(Map.of("x-a", List.of("1", "2"), "x-b", List.of("3")).entrySet()
                .stream().collect(Collectors.toMap(e -> e.getKey().equals("x-a") ? "X-A"
                        : e.getKey(), Map.Entry::getValue)));
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void environmentCanSwitchTheStorageDriverKeepingTheOtherSections() {
        ServerConfig c = ConfigLoader.parse(MINIMAL + "  delete:\n    enabled: true\n",
                Map.of("REGISTRY_STORAGE", "inmemory"));
        assertThat(c.storage().driver()).isEqualTo("inmemory");
        assertThat(c.storage().parameters()).isEmpty();
        assertThat(c.storage().deleteEnabled()).isTrue();
    }

    @Test
    void environmentAloneMakesAConfiguration() {
        ServerConfig c = ConfigLoader.load(null, Map.of("REGISTRY_HTTP_ADDR", ":0",
                "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/srv/registry"));
        assertThat(c.http().port()).isZero();
        assertThat(c.storage().parameters()).isEqualTo(Map.of("rootdirectory", "/srv/registry"));
    }

    @Test
    void unknownKeysAndUnsupportedHarmlessSectionsAreWarningsNamingTheKey() {
        ServerConfig c = ConfigLoader.parse(MINIMAL + """
                  cache: {blobdescriptor: redis}
                  maintenance:
                    uploadpurging: {enabled: true, age: 168h, colour: blue}
                http:
                  addr: :5000
                  tls: {}
                  colour: blue
                redis: {addr: localhost:6379, password: hunter2}
                notifications: {endpoints: []}
                frobnicate: 1
                """, Map.of("REGISTRY_LOG_LEVELX", "debug"));
        assertThat(c.warnings()).noneMatch(w -> w.startsWith("storage.cache:"))
                .contains("storage.maintenance.uploadpurging.colour: unknown key, ignored")
                .contains("http.colour: unknown key, ignored", "frobnicate: unknown key, ignored",
                        "log.levelx: unknown key, ignored")
                .noneMatch(w -> w.startsWith("redis:")).noneMatch(w -> w.startsWith("notifications"))
                .noneMatch(w -> w.contains("hunter2"));
        assertThat(c.storage().cache()).hasValueSatisfying(cache -> {
            assertThat(cache.name()).isEqualTo("redis");
            assertThat(cache.parameters()).containsEntry("addr", "localhost:6379");
        });
        assertThat(c.storage().toString()).doesNotContain("hunter2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            storage: {filesystem: {}}                                          | version
            version: 0.2                                                       | version
            version: 0.1                                                       | storage
            version: 0.1\\nstorage: {filesystem: {}, inmemory: {}}             | storage
            version: 0.1\\nstorage: {filesystem: x}                            | storage.filesystem
            STORAGE\\nhttp: {addr: 'localhost'}                                | http.addr
            STORAGE\\nhttp: {addr: ':99999'}                                   | http.addr
            STORAGE\\nhttp: {prefix: registry}                                 | http.prefix
            STORAGE\\nhttp: {host: registry.example.com}                       | http.host
            STORAGE\\nhttp: {net: unix}                                        | http.net
            STORAGE\\nhttp: {draintimeout: soon}                               | http.draintimeout
            STORAGE\\nhttp: {headers: {'Bad Header': [x]}}                     | http.headers.Bad Header
            STORAGE\\nhttp: {tls: {certificate: /c}}                           | http.tls.key
            STORAGE\\nhttp: {tls: {key: /k}}                                   | http.tls.certificate
            STORAGE\\nhttp: {tls: {certificate: /c, key: /k, minimumtls: tls1.0}} | http.tls.minimumtls
            STORAGE\\nhttp: {tls: {certificate: /c, key: /k, minimumtls: tls1.1}} | http.tls.minimumtls
            STORAGE\\nhttp: {tls: {letsencrypt: {cachefile: /x}}}              | http.tls.letsencrypt
            STORAGE\\nhttp: {tls: {certificate: /c, key: /k, ciphersuites: [TLS_NOT_A_SUITE]}} | http.tls.ciphersuites
            STORAGE\\nhttp: {debug: {addr: ':x'}}                              | http.debug.addr
            STORAGE\\nhttp: {relativeurls: maybe}                              | http.relativeurls
            STORAGE\\nlog: {level: loud}                                       | log.level
            STORAGE\\nauth: {htpasswd: {path: /p}, token: {realm: r}}           | auth
            STORAGE\\naccess: {rules: []}                                     | access
            STORAGE\\nauth: {token: {realm: r, builtin: yes}}                  | auth.token.builtin
            STORAGE\\nproxy: {remoteurl: 'ftp://registry.example'}             | proxy.remoteurl
            STORAGE\\nproxy: {remoteurl: https://r.example, username: u}        | proxy.password
            STORAGE\\nproxy: {remoteurl: https://r.example, ttl: forever}       | proxy.ttl
            STORAGE\\nproxy: {upstreams: [{remoteurl: https://r.example}]}       | proxy.upstreams[0].prefix
            STORAGE\\nproxy: {upstreams: [{prefix: a, remoteurl: https://r.example}, {prefix: a, remoteurl: https://s.example}]} | proxy.upstreams
            STORAGE\\nproxy: {upstreams: [{prefix: 'Bad Prefix', remoteurl: https://r.example}]} | proxy.upstreams[0].prefix
            STORAGE\\ncatalog: {maxentries: 0}                                 | catalog.maxentries
            STORAGE\\nhttp: [1, 2]                                             | http
            'version: 0.1\\nstorage: {filesystem: {}, maintenance: {readonly: {enabled: maybe}}}' | storage.maintenance.readonly.enabled
            """)
    void badOrUnservableValuesStopStartupNamingTheKey(String yaml, String key) {
        String text = yaml.replace("\\n", "\n").replace("STORAGE", "version: 0.1\nstorage: {filesystem: {}}");
        assertThatThrownBy(() -> ConfigLoader.parse(text, Map.of())).isInstanceOfSatisfying(ConfigException.class,
                e -> {
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.getMessage()).startsWith(key + ": ");
                });
    }

    @Test
    void maintenanceFollowsDistributionsDefaults() {
        ServerConfig.Maintenance m = ConfigLoader.parse(MINIMAL, Map.of()).storage().maintenance();
        assertThat(m.readOnly()).isFalse();
        assertThat(m.uploadPurging()).isEqualTo(new ServerConfig.UploadPurging(true, Duration.ofHours(168),
                Duration.ofHours(24), false));
        assertThat(ConfigLoader.load(null, Map.of()).storage().maintenance()).isEqualTo(m);
    }

    @Test
    void readsReadOnlyModeAndUploadPurging() {
        ServerConfig c = ConfigLoader.parse(MINIMAL + """
                  maintenance:
                    readonly: {enabled: true}
                    uploadpurging: {enabled: false, age: 72h, interval: 30m, dryrun: true}
                """, Map.of());
        assertThat(c.storage().maintenance()).isEqualTo(new ServerConfig.Maintenance(true,
                new ServerConfig.UploadPurging(false, Duration.ofHours(72), Duration.ofMinutes(30), true)));
        assertThat(c.warnings()).isEmpty();
        assertThat(c.storage().toString()).contains("readOnly=true");
    }

    @Test
    void maintenanceCanBeSetFromTheEnvironment() {
        ServerConfig c = ConfigLoader.parse(MINIMAL, Map.of("REGISTRY_STORAGE_MAINTENANCE_READONLY_ENABLED", "true",
                "REGISTRY_STORAGE_MAINTENANCE_UPLOADPURGING_AGE", "48h"));
        assertThat(c.storage().maintenance().readOnly()).isTrue();
        assertThat(c.storage().maintenance().uploadPurging().age()).isEqualTo(Duration.ofHours(48));
    }

    @Test
    void purgingConfiguredOnAReadOnlyRegistryIsAWarning() {
        ServerConfig c = ConfigLoader.parse(MINIMAL + """
                  maintenance:
                    readonly: {enabled: true}
                    uploadpurging: {enabled: true}
                """, Map.of());
        assertThat(c.warnings()).singleElement().asString().startsWith("storage.maintenance.uploadpurging: ");
    }

    @Test
    void onlineGarbageCollectionIsOffByDefaultAndReadFromItsSection() {
        assertThat(ConfigLoader.parse(MINIMAL, Map.of()).storage().maintenance().gc())
                .isEqualTo(ServerConfig.Gc.DEFAULTS);
        assertThat(ServerConfig.Gc.DEFAULTS.enabled()).isFalse();
        ServerConfig c = ConfigLoader.parse(MINIMAL + """
                  maintenance:
                    gc: {enabled: true, interval: 6h, gcdelay: 2h, deleteuntagged: true, dryrun: true, parallelism: 32}
                """, Map.of());
        assertThat(c.storage().maintenance().gc()).isEqualTo(new ServerConfig.Gc(true, Duration.ofHours(6),
                Duration.ofHours(2), true, true, 32));
        assertThat(c.storage().maintenance().gc().options()).isEqualTo(GcOptions.DEFAULTS
                .withDryRun(true).withDeleteUntagged(true).withGracePeriod(Duration.ofHours(2)).withParallelism(32));
        assertThat(c.warnings()).isEmpty();
        assertThat(ConfigLoader.parse(MINIMAL, Map.of("REGISTRY_STORAGE_MAINTENANCE_GC_ENABLED", "true",
                "REGISTRY_STORAGE_MAINTENANCE_GC_GCDELAY", "30m")).storage().maintenance().gc())
                .extracting(ServerConfig.Gc::enabled, ServerConfig.Gc::gcDelay).containsExactly(true,
                        Duration.ofMinutes(30));
    }

    @Test
    void aShortGcDelayOrGcOnAReadOnlyRegistryIsAWarning() {
        ServerConfig c = ConfigLoader.parse(MINIMAL + """
                  maintenance:
                    readonly: {enabled: true}
                    gc: {enabled: true, gcdelay: 10s}
                """, Map.of());
        assertThat(c.warnings()).anySatisfy(w -> assertThat(w).startsWith("storage.maintenance.gc.gcdelay: "))
                .anySatisfy(w -> assertThat(w).startsWith("storage.maintenance.gc: no garbage collection"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {interval: 0s}       | storage.maintenance.gc.interval
            {interval: weekly}   | storage.maintenance.gc.interval
            {gcdelay: -1h}       | storage.maintenance.gc.gcdelay
            {gcdelay: later}     | storage.maintenance.gc.gcdelay
            {parallelism: 0}     | storage.maintenance.gc.parallelism
            {parallelism: 1000}  | storage.maintenance.gc.parallelism
            {deleteuntagged: 3}  | storage.maintenance.gc.deleteuntagged
            """)
    void badGcValuesNameTheirKey(String gc, String key) {
        String text = MINIMAL + "  maintenance:\n    gc: " + gc + "\n";
        assertThatThrownBy(() -> ConfigLoader.parse(text, Map.of())).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.key()).isEqualTo(key));
    }

    @Test
    void proxyIsDistributionsSingleUpstreamOrBerthsUpstreamsByPrefix() {
        ServerConfig single = ConfigLoader.parse(MINIMAL + """
                proxy: {remoteurl: https://registry-1.docker.io, username: me, password: secret-token, ttl: 24h}
                """, Map.of());
        assertThat(single.upstreams()).singleElement().satisfies(u -> {
            assertThat(u.prefix()).isEmpty();
            assertThat(u.url()).hasToString("https://registry-1.docker.io");
            assertThat(u.username()).contains("me");
            assertThat(u.password()).contains("secret-token");
            assertThat(u.ttl()).isEqualTo(Duration.ofHours(24));
            assertThat(u.toString()).doesNotContain("secret-token");
        });
        ServerConfig many = ConfigLoader.parse(MINIMAL + """
                proxy:
                  upstreams:
                    - {prefix: docker.io, remoteurl: https://registry-1.docker.io}
                    - {prefix: ghcr.io/, remoteurl: https://ghcr.io, ttl: 1h}
                """, Map.of());
        assertThat(many.upstreams()).extracting(u -> u.prefix() + " " + u.url() + " " + u.ttl())
                .containsExactly("docker.io https://registry-1.docker.io PT168H", "ghcr.io https://ghcr.io PT1H");
        assertThat(many.warnings()).isEmpty();
        assertThat(ConfigLoader.parse(MINIMAL, Map.of("REGISTRY_PROXY_REMOTEURL", "https://mirror.example"))
                .upstreams()).singleElement().extracting(u -> u.url().getHost()).isEqualTo("mirror.example");
        assertThat(ConfigLoader.parse(MINIMAL, Map.of()).upstreams()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {age: soon}         | storage.maintenance.uploadpurging.age
            {age: 0}            | storage.maintenance.uploadpurging.age
            {age: -1h}          | storage.maintenance.uploadpurging.age
            {interval: 1 week}  | storage.maintenance.uploadpurging.interval
            {interval: 0s}      | storage.maintenance.uploadpurging.interval
            {dryrun: perhaps}   | storage.maintenance.uploadpurging.dryrun
            {enabled: 2}        | storage.maintenance.uploadpurging.enabled
            """)
    void badUploadPurgingValuesNameTheirKey(String purging, String key) {
        String text = MINIMAL + "  maintenance:\n    uploadpurging: " + purging + "\n";
        assertThatThrownBy(() -> ConfigLoader.parse(text, Map.of())).isInstanceOfSatisfying(ConfigException.class,
                e -> {
                    assertThat(e.key()).isEqualTo(key);
                    assertThat(e.getMessage()).startsWith(key + ": ");
                });
    }

    @Test
    void badYamlIsReportedWithItsLine() {
        assertThatThrownBy(() -> ConfigLoader.parse("version: 0.1\nstorage:\n  filesystem: [\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML").hasMessageContaining("line");
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("/no/such/config.yml"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
    }

    @ParameterizedTest
    @CsvSource({"300ms,300", "60s,60000", "5m,300000", "1h30m,5400000", "1.5h,5400000", "45,45000", "0,0"})
    void durationsAreGoStyle(String text, long millis) {
        assertThat(ConfigLoader.parse(MINIMAL + "http: {draintimeout: " + text + "}\n", Map.of()).http()
                .drainTimeout()).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void theSampleConfigsInTheRepositoryLoad() {
        Path dir = Path.of("config");
        ServerConfig fs = ConfigLoader.load(dir.resolve("filesystem.yml"), Map.of());
        assertThat(fs.warnings()).isEmpty();
        assertThat(fs.storage().parameters()).containsEntry("rootdirectory", "/var/lib/registry");
        assertThat(fs.http().debug()).contains(new ServerConfig.Debug("localhost", 5001, true, "/metrics"));

        ServerConfig tls = ConfigLoader.load(dir.resolve("tls.yml"), Map.of());
        assertThat(tls.warnings()).isEmpty();
        assertThat(tls.http().tls().orElseThrow().minimumTls()).isEqualTo("tls1.2");
        assertThat(tls.http().host()).isEqualTo(Optional.of("https://registry.example.com"));

        ServerConfig s3 = ConfigLoader.load(dir.resolve("s3-redis.yml"), Map.of(
                "REGISTRY_STORAGE_S3_ACCESSKEY", "AKIA", "REGISTRY_STORAGE_S3_SECRETKEY", "secret"));
        assertThat(s3.storage().driver()).isEqualTo("s3");
        assertThat(s3.storage().parameters()).containsEntry("bucket", "my-registry").containsEntry("secretkey", "secret");
        assertThat(s3.storage().toString()).doesNotContain("secret\"").doesNotContain("=secret");
        assertThat(s3.warnings()).noneMatch(w -> w.startsWith("redis:")).noneMatch(w -> w.startsWith("storage.cache"));
        assertThat(s3.storage().cache()).hasValueSatisfying(cache -> {
            assertThat(cache.name()).isEqualTo("redis");
            assertThat(cache.parameters()).containsEntry("addr", "redis.example.com:6379").containsEntry("db", 0);
        });

        ServerConfig basic = ConfigLoader.load(dir.resolve("tls-htpasswd.yml"), Map.of());
        assertThat(basic.warnings()).isEmpty();
        assertThat(basic.auth().provider()).isEqualTo("htpasswd");
        assertThat(basic.auth().parameters()).containsEntry("path", "/etc/berth/htpasswd");
        assertThat(basic.auth().access()).isPresent();
        assertThat(AccessRules.parse(basic.auth().access().get())).isNotNull();

        ServerConfig token = ConfigLoader.load(dir.resolve("token-builtin.yml"), Map.of());
        assertThat(token.warnings()).isEmpty();
        assertThat(token.auth().provider()).isEqualTo("token");
        assertThat(token.auth().parameters()).doesNotContainKey("builtin").containsKeys("realm", "service", "issuer");
        assertThat(token.auth().builtinIssuer().orElseThrow()).containsKeys("htpasswd", "expiration");
        assertThat(AccessRules.parse(token.auth().access().get())).isNotNull();
    }

    @Test
    void authNamesOneProviderAndHandsItsSectionOverWithTheAccessRules() {
        ServerConfig none = ConfigLoader.parse("version: 0.1\nstorage: {filesystem: {}}", Map.of());
        assertThat(none.auth()).isEqualTo(ServerConfig.Auth.NONE);
        assertThat(none.auth().enabled()).isFalse();

        ServerConfig c = ConfigLoader.parse("""
                version: 0.1
                storage: {filesystem: {}}
                auth:
                  htpasswd:
                    realm: Team registry
                    path: /from/file
                access:
                  rules:
                    - {repositories: ["**"], who: [authenticated], allow: [pull]}
                """, Map.of("REGISTRY_AUTH_HTPASSWD_PATH", "/from/env"));
        assertThat(c.warnings()).isEmpty();
        assertThat(c.auth().enabled()).isTrue();
        assertThat(c.auth().parameters()).containsEntry("realm", "Team registry").containsEntry("path", "/from/env");
        assertThat(c.auth().access().orElseThrow()).containsKey("rules");
        assertThat(c.auth().toString()).doesNotContain("/from/env");
    }

    @Test
    void inMemoryBlobDescriptorCacheTakesItsSize() {
        ServerConfig c = ConfigLoader.parse(MINIMAL + """
                  cache: {blobdescriptor: inmemory, blobdescriptorsize: 5000}
                """, Map.of());
        assertThat(c.storage().cache()).contains(new ServerConfig.Cache("inmemory", Map.of("size", 5000)));
        assertThat(c.warnings()).isEmpty();
        assertThat(ConfigLoader.parse(MINIMAL, Map.of()).storage().cache()).isEmpty();
    }

    @Test
    void cacheAndRedisMistakesNameTheirKey() {
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + """
                  cache: {blobdescriptor: memcached}
                """, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.cache.blobdescriptor").hasMessageContaining("memcached");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + """
                  cache: {blobdescriptor: redis}
                """, Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("redis");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + """
                  cache: {blobdescriptor: redis}
                redis: {addr: localhost:6379, pool: {maxactiv: 3}}
                """, Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("pool.maxactiv");
        ServerConfig unused = ConfigLoader.parse(MINIMAL + """
                redis: {addr: localhost:6379}
                """, Map.of("REGISTRY_REDIS_DB", "3"));
        assertThat(unused.warnings()).anyMatch(w -> w.startsWith("redis: not used"));
        ServerConfig env = ConfigLoader.parse(MINIMAL + """
                  cache: {blobdescriptor: redis}
                redis: {addr: localhost:6379}
                """, Map.of("REGISTRY_REDIS_PASSWORD", "pw"));
        assertThat(env.storage().cache().orElseThrow().parameters()).containsEntry("password", "pw");
    }

    /** Typed keys refuse a map or a list, naming the key, instead of reading {@code {a=b}} or failing with a cast. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            proxy: {remoteurl: https://r.example, username: u, password: {a: b}}          | proxy.password: expected a string, found a map
            proxy: {remoteurl: https://r.example, username: [u], password: p}             | proxy.username: expected a string, found a list
            proxy: {remoteurl: [https://r.example]}                                       | proxy.remoteurl: expected a string, found a list
            proxy: {remoteurl: https://r.example, ttl: {hours: 1}}                        | proxy.ttl: expected a duration such as 30s, found a map
            proxy: {upstreams: [{prefix: {a: b}, remoteurl: https://r.example}]}          | proxy.upstreams[0].prefix: expected a string, found a map
            proxy: {upstreams: [{prefix: a, remoteurl: https://r.example, password: [x], username: u}]} | proxy.upstreams[0].password: expected a string, found a list
            http: {secret: [1, 2]}                                                        | http.secret: expected a string, found a list
            http: {addr: {port: 5000}}                                                    | http.addr: expected a string, found a map
            http: {relativeurls: [true]}                                                  | http.relativeurls: expected true or false, found a list
            http: {draintimeout: [1s]}                                                    | http.draintimeout: expected a duration such as 30s, found a list
            http: {limits: {maxconnections: {n: 1}}}                                      | http.limits.maxconnections: expected a whole number, found a map
            http: {tls: {certificate: /c, key: /k, clientcas: [[/ca]]}}                  | http.tls.clientcas.0: expected a string, found a list
            catalog: {maxentries: [10]}                                                   | catalog.maxentries: expected a whole number, found a list
            log: {level: {x: y}}                                                          | log.level: expected a string, found a map
            notifications: {endpoints: [{name: a, url: {u: v}}]}                          | notifications.endpoints[0].url: expected a string, found a map
            auth: {token: {realm: {a: b}, service: s, issuer: i, builtin: {htpasswd: {path: /p}}}} | auth.token.realm: expected a string, found a map
            auth: {token: {realm: r, service: s, issuer: i, builtin: {expiration: [5m], htpasswd: {path: /p}}}} | auth.token.builtin.expiration: expected a string, found a list
            """)
    void aMapOrListWhereAValueBelongsIsAnErrorNamingTheKey(String yaml, String message) {
        String text = MINIMAL + yaml + "\n";
        assertThatThrownBy(() -> ConfigLoader.parse(text, Map.of())).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.getMessage()).isEqualTo(message));
    }

    @Test
    void aMapFromTheEnvironmentIsRefusedLikeOneFromTheFile() {
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + "proxy: {remoteurl: https://r.example, username: u}\n",
                Map.of("REGISTRY_PROXY_PASSWORD", "{a: b}"))).isInstanceOf(ConfigException.class)
                .hasMessage("proxy.password: expected a string, found a map");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL, Map.of("REGISTRY_STORAGE_DELETE_ENABLED", "[true]")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("storage.delete.enabled: expected true or false, found a list");
    }

    @Test
    void aUrlQuotedInAConfigurationErrorHasItsPasswordMasked() {
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + "proxy: {remoteurl: 'ftp://me:s3cr3t@r.example'}\n",
                Map.of())).isInstanceOf(ConfigException.class)
                .hasMessage("proxy.remoteurl: must be an http or https URL, not 'ftp://me:***@r.example'");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + "proxy: {remoteurl: 'http://me:s3cr3t@r.example/a b'}\n",
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("me:***@")
                .message().doesNotContain("s3cr3t");
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + "notifications: {endpoints: [{name: a, url: "
                + "'ftp://hook:s3cr3t@h.example/x'}]}\n", Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("hook:***@").message().doesNotContain("s3cr3t");
        assertThat(ConfigLoader.parse(MINIMAL + "proxy: {remoteurl: 'http://me:s3cr3t@r.example'}\n", Map.of())
                .upstreams()).singleElement().asString().contains("http://me:***@r.example").doesNotContain("s3cr3t");
    }

    @Test
    void anEmptyRemoteUrlIsAnErrorNotAnUnknownKey() {
        assertThatThrownBy(() -> ConfigLoader.parse(MINIMAL + "proxy: {remoteurl: }\n", Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("proxy.remoteurl: is required");
    }
}
