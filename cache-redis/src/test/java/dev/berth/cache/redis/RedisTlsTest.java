package dev.berth.cache.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.spi.cache.CacheException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * {@code tls: {enabled: true}} against a real Redis (Debian's {@code redis-server}, built with TLS) that listens with
 * TLS for Berth and, for the test's own checks, in plain text on loopback, with a certificate for {@code localhost}
 * alone: the JDK's default trust store decides whom to trust, and the host name Berth dials must be the certificate's.
 * A new connection reads {@code javax.net.ssl.trustStore}, so a test that trusts the certificate sets it, and every
 * test restores it.
 */
class RedisTlsTest {
    private static final String STORE_PASSWORD = "changeit";
    private static final String PASSWORD = "pw-4711";
    private static final List<String> TRUST_PROPERTIES = List.of("javax.net.ssl.trustStore",
            "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType");

    @TempDir
    static Path dir;
    private static Path trustingStore;
    private static Path certificate;
    private static Path key;

    private final Map<String, String> savedProperties = new ConcurrentHashMap<>();
    private TlsRedis server;

    @BeforeAll
    static void certificateForLocalhostOnly() throws Exception {
        Path serverKeys = dir.resolve("server.p12");
        trustingStore = dir.resolve("trust.p12");
        certificate = dir.resolve("server.pem");
        key = dir.resolve("server.key");
        keytool("-genkeypair", "-alias", "redis", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                serverKeys.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "redis", "-keystore", serverKeys.toString(), "-storepass",
                STORE_PASSWORD, "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "redis", "-file", certificate.toString(), "-storetype",
                "PKCS12", "-keystore", trustingStore.toString(), "-storepass", STORE_PASSWORD);
        // Redis (OpenSSL) reads the key as PEM: PKCS#8, as the key store holds it.
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverKeys)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        byte[] pkcs8 = keys.getKey("redis", STORE_PASSWORD.toCharArray()).getEncoded();
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n", US_ASCII);
    }

    /** The JDK's own tool, so that making a certificate needs no library. */
    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "keytool", ".txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(p.exitValue()).as("keytool %s: %s", args[0], Files.readString(output)).isZero();
    }

    @BeforeEach
    void startServer() throws Exception {
        TRUST_PROPERTIES.forEach(name -> {
            String value = System.getProperty(name);
            if (value != null) {
                savedProperties.put(name, value);
            }
        });
        server = new TlsRedis();
    }

    @AfterEach
    void stopServerAndRestoreTrust() {
        server.close();
        TRUST_PROPERTIES.forEach(name -> {
            String value = savedProperties.get(name);
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }

    private static void trustTheTestCertificate() {
        System.setProperty("javax.net.ssl.trustStore", trustingStore.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", STORE_PASSWORD);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    }

    private RedisCacheConfig tls(String host) {
        return RedisCacheConfig.parse(Map.of("addr", host + ":" + server.tlsPort, "password", PASSWORD, "db", 3,
                "dialtimeout", "30s", "readtimeout", "30s", "writetimeout", "30s", "tls", Map.of("enabled", true)));
    }

    @Test
    void aTrustedCertificateNamingTheDialedHostIsAccepted() throws Exception {
        trustTheTestCertificate();
        Digest digest = Digest.sha256(new byte[] {4, 7, 11});
        try (RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(tls("localhost"))) {
            assertThatCode(cache::checkHealth).doesNotThrowAnyException();
            cache.fillBlob(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, digest, 3));
            assertThat(cache.blob(digest)).map(Descriptor::size).contains(3L);
            // Over the plain port: Berth is a client of this Redis, named, on database 3, holding what it wrote.
            try (Jedis plain = server.plainClient()) {
                assertThat(plain.clientList()).contains("name=berth").containsPattern("name=berth .*db=3");
                plain.select(3);
                assertThat(plain.keys("*")).anyMatch(k -> k.contains(digest.hex()));
                plain.select(0);
                assertThat(plain.keys("*")).isEmpty();
            }
        }
    }

    @Test
    void aTrustedCertificateForAnotherHostNameIsRefused() throws Exception {
        trustTheTestCertificate();
        try (RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(tls("127.0.0.1"))) {
            assertThatThrownBy(cache::checkHealth).isInstanceOf(CacheException.class)
                    .hasMessageContaining("PING").hasMessageNotContaining(PASSWORD)
                    .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SSLHandshakeException.class));
        }
        server.assertNothingWasSent();
    }

    @Test
    void aCertificateTheDefaultTrustStoreDoesNotHoldIsRefused() throws Exception {
        try (RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(tls("localhost"))) {
            assertThatThrownBy(cache::checkHealth).isInstanceOf(CacheException.class)
                    .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SSLHandshakeException.class));
        }
        server.assertNothingWasSent();
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /**
     * Debian's {@code redis-server} on two free loopback ports: TLS (the server authenticates itself; clients need no
     * certificate) and plain text for the test's checks, with a password on both.
     */
    private static final class TlsRedis implements AutoCloseable {
        final int tlsPort;
        final int plainPort;
        private final Process process;

        TlsRedis() throws Exception {
            tlsPort = freePort();
            plainPort = freePort();
            process = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", String.valueOf(plainPort),
                    "--tls-port", String.valueOf(tlsPort), "--tls-cert-file", certificate.toString(),
                    "--tls-key-file", key.toString(), "--tls-ca-cert-file", certificate.toString(),
                    "--tls-auth-clients", "no", "--requirepass", PASSWORD, "--save", "", "--appendonly", "no",
                    "--dir", dir.toString(), "--logfile", "")
                    .redirectErrorStream(true).start();
            // Redis says when it listens; until then a connection would be refused. Its log is read to the end (so
            // that it never blocks on a full pipe) and kept for the failure message.
            StringBuffer log = new StringBuffer();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        log.append(line).append('\n');
                        if (line.contains("Ready to accept connections")) {
                            ready.complete(null);
                        }
                    }
                } catch (IOException e) {
                    ready.completeExceptionally(e);
                }
                ready.completeExceptionally(new IOException("redis-server ended before it was ready"));
            }, "redis-log");
            reader.setDaemon(true);
            reader.start();
            try {
                ready.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                close();
                throw new AssertionError("redis-server did not start: " + log, e);
            }
            try (Jedis plain = plainClient()) {
                plain.configResetStat(); // from here on, the command counts are the client's under test
            }
        }

        private static int freePort() throws Exception {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }

        Jedis plainClient() {
            Jedis jedis = new Jedis("127.0.0.1", plainPort);
            jedis.auth(PASSWORD);
            return jedis;
        }

        /** No command but the check's own reached Redis: a client that failed the TLS check sent nothing. */
        void assertNothingWasSent() {
            try (Jedis plain = plainClient()) {
                String stats = plain.info("commandstats");
                assertThat(stats).doesNotContain("cmdstat_ping", "cmdstat_select", "cmdstat_client");
                assertThat(stats).containsOnlyOnce("cmdstat_auth:calls=1,"); // this check's own
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
