package dev.berth.cache.redis;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.spi.cache.CacheException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls: {enabled: true}} against a Redis that speaks only TLS, with a certificate for {@code localhost} alone:
 * the JDK's default trust store decides whom to trust, and the host name Berth dials must be the certificate's. A new
 * connection reads {@code javax.net.ssl.trustStore}, so a test that trusts the certificate sets it, and every test
 * restores it. embedded-redis has no TLS, so a small stand-in answers the commands.
 */
class RedisTlsTest {
    private static final String STORE_PASSWORD = "changeit";
    private static final List<String> TRUST_PROPERTIES = List.of("javax.net.ssl.trustStore",
            "javax.net.ssl.trustStorePassword", "javax.net.ssl.trustStoreType");

    @TempDir
    static Path dir;
    private static Path serverKeys;
    private static Path trustingStore;

    private final Map<String, String> savedProperties = new ConcurrentHashMap<>();
    private TlsRedis server;

    @BeforeAll
    static void certificateForLocalhostOnly() throws Exception {
        serverKeys = dir.resolve("server.p12");
        trustingStore = dir.resolve("trust.p12");
        Path certificate = dir.resolve("server.pem");
        keytool("-genkeypair", "-alias", "redis", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                serverKeys.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "redis", "-keystore", serverKeys.toString(), "-storepass",
                STORE_PASSWORD, "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "redis", "-file", certificate.toString(), "-storetype",
                "PKCS12", "-keystore", trustingStore.toString(), "-storepass", STORE_PASSWORD);
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
        TRUST_PROPERTIES.forEach(key -> {
            String value = System.getProperty(key);
            if (value != null) {
                savedProperties.put(key, value);
            }
        });
        server = new TlsRedis(serverKeys);
    }

    @AfterEach
    void stopServerAndRestoreTrust() {
        server.close();
        TRUST_PROPERTIES.forEach(key -> {
            String value = savedProperties.get(key);
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    private static void trustTheTestCertificate() {
        System.setProperty("javax.net.ssl.trustStore", trustingStore.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", STORE_PASSWORD);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    }

    private RedisCacheConfig tls(String host) {
        return RedisCacheConfig.parse(Map.of("addr", host + ":" + server.port(), "password", "pw-4711", "db", 3,
                "dialtimeout", "30s", "readtimeout", "30s", "writetimeout", "30s", "tls", Map.of("enabled", true)));
    }

    @Test
    void aTrustedCertificateNamingTheDialedHostIsAccepted() {
        trustTheTestCertificate();
        try (RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(tls("localhost"))) {
            assertThatCode(cache::checkHealth).doesNotThrowAnyException();
        }
        assertThat(server.commands).as("AUTH, name and db on RESP2 without HELLO, then PING")
                .contains(List.of("AUTH", "pw-4711"), List.of("CLIENT", "SETNAME", "berth"), List.of("SELECT", "3"),
                        List.of("PING"))
                .noneMatch(c -> c.get(0).equalsIgnoreCase("HELLO"));
    }

    @Test
    void aTrustedCertificateForAnotherHostNameIsRefused() {
        trustTheTestCertificate();
        try (RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(tls("127.0.0.1"))) {
            assertThatThrownBy(cache::checkHealth).isInstanceOf(CacheException.class)
                    .hasMessageContaining("PING").hasMessageNotContaining("pw-4711")
                    .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SSLHandshakeException.class));
        }
        assertThat(server.commands).as("nothing was sent to a server that failed the check").isEmpty();
    }

    @Test
    void aCertificateTheDefaultTrustStoreDoesNotHoldIsRefused() {
        try (RedisBlobDescriptorCache cache = new RedisBlobDescriptorCache(tls("localhost"))) {
            assertThatThrownBy(cache::checkHealth).isInstanceOf(CacheException.class)
                    .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SSLHandshakeException.class));
        }
        assertThat(server.commands).as("nothing was sent to an untrusted server").isEmpty();
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    /**
     * A stand-in for Redis that speaks only TLS: it answers PING with PONG and every other command with OK, and
     * records the commands it was sent.
     */
    private static final class TlsRedis implements AutoCloseable {
        final Queue<List<String>> commands = new ConcurrentLinkedQueue<>();
        private final SSLServerSocket listener;
        private final Set<Socket> clients = ConcurrentHashMap.newKeySet();

        TlsRedis(Path keyStore) throws Exception {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                keys.load(in, STORE_PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, STORE_PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            listener = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                    InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "tls-redis-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private void accept() {
            while (true) {
                Socket client;
                try {
                    client = listener.accept();
                } catch (IOException closed) {
                    return;
                }
                clients.add(client);
                Thread t = new Thread(() -> serve(client), "tls-redis-client");
                t.setDaemon(true);
                t.start();
            }
        }

        private void serve(Socket client) {
            try (client) {
                InputStream in = new BufferedInputStream(client.getInputStream());
                OutputStream out = client.getOutputStream();
                while (true) {
                    List<String> command = readCommand(in);
                    commands.add(command);
                    out.write((command.get(0).equalsIgnoreCase("PING") ? "+PONG\r\n" : "+OK\r\n").getBytes(US_ASCII));
                    out.flush();
                }
            } catch (IOException handshakeRefusedOrClientGone) {
                // the client decides; the tests look at what it did
            } finally {
                clients.remove(client);
            }
        }

        /** One RESP array of bulk strings, as clients send commands. */
        private static List<String> readCommand(InputStream in) throws IOException {
            String header = line(in);
            if (!header.startsWith("*")) {
                throw new IOException("not a RESP array: " + header);
            }
            int n = Integer.parseInt(header.substring(1));
            List<String> args = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String length = line(in);
                if (!length.startsWith("$")) {
                    throw new IOException("not a bulk string: " + length);
                }
                args.add(new String(in.readNBytes(Integer.parseInt(length.substring(1))), UTF_8));
                line(in);
            }
            return args;
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder text = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new EOFException();
                }
                if (c != '\r') {
                    text.append((char) c);
                }
            }
            return text.toString();
        }

        @Override
        public void close() {
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            for (Socket client : clients) {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
    }
}
