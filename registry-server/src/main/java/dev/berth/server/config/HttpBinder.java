package dev.berth.server.config;

import dev.berth.server.tls.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** {@code http}: address, prefix, host, headers, TLS, the debug server, HTTP/2, and Berth's limits and threads. */
final class HttpBinder {
    private HttpBinder() {
    }

    /**
     * {@code http}: {@code net} (tcp only), {@code addr}, {@code prefix}, {@code host}, {@code secret} (read, not
     * needed), {@code relativeurls}, {@code headers}, {@code draintimeout}, {@code http2.disabled}, {@code tls},
     * {@code debug}, and Berth's {@code limits} and {@code threads}.
     */
    static ServerConfig.Http bind(Section s) {
        String net = s.string("net", "tcp");
        if (!net.equals("tcp")) {
            throw new ConfigException(s.key("net"), "only tcp is supported, not '" + net + "'");
        }
        HostPort addr = HostPort.parse(s.key("addr"), s.string("addr", ":5000"));
        String prefix = s.string("prefix", "/");
        if (!prefix.startsWith("/")) {
            throw new ConfigException(s.key("prefix"), "must start with /, not '" + prefix + "'");
        }
        prefix = prefix.replaceAll("/+$", "");
        Optional<String> host = s.string("host").map(h -> {
            if (!h.matches("https?://[^/\\s]+(/.*)?")) {
                throw new ConfigException(s.key("host"), "must be an absolute http or https URL, not '" + h + "'");
            }
            return h.replaceAll("/+$", "");
        });
        s.string("secret"); // distribution signs upload state with it; Berth keeps upload state in storage
        boolean relative = s.bool("relativeurls", false);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        Section h = s.section("headers");
        for (String name : h.names()) {
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new ConfigException(h.key(name), "is not a valid HTTP header name");
            }
            headers.put(name, h.strings(name));
        }
        // distribution's default is 0 (requests in flight are cut); Berth lets them finish, within a bound.
        Duration drain = s.duration("draintimeout", Duration.ofSeconds(30));
        boolean http2 = !s.section("http2").bool("disabled", false);
        s.readAll("h2c");
        return new ServerConfig.Http(addr.host(), addr.port(), prefix, host, relative, headers, tls(s.section("tls")),
                debug(s.section("debug")), drain, http2, limits(s.section("limits")), threads(s));
    }

    /** Berth's {@code http.limits}; an absent key takes its value from {@link ServerConfig.Limits#DEFAULTS}. */
    private static ServerConfig.Limits limits(Section s) {
        ServerConfig.Limits d = ServerConfig.Limits.DEFAULTS;
        long minRequestRate = s.whole("minrequestrate", d.minRequestRate(), 0, Long.MAX_VALUE);
        long minResponseRate = s.whole("minresponserate", d.minResponseRate(), 0, Long.MAX_VALUE);
        Duration rateGrace = s.duration("rategrace", d.rateGrace());
        Duration idleTimeout = s.duration("idletimeout", d.idleTimeout());
        Duration headerTimeout = s.duration("headertimeout", d.headerTimeout());
        int maxConnections = s.integer("maxconnections", d.maxConnections(), 1, Integer.MAX_VALUE);
        int perClient = s.integer("maxconnectionsperclient", d.maxConnectionsPerClient(), 0, Integer.MAX_VALUE);
        Duration bodyTimeout = s.duration("bodytimeout", d.bodyTimeout());
        try {
            return new ServerConfig.Limits(minRequestRate, minResponseRate, rateGrace, idleTimeout, headerTimeout,
                    maxConnections, perClient, bodyTimeout);
        } catch (IllegalArgumentException e) {
            // Limits' messages start with the key they are about.
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            throw new ConfigException(s.key(message.substring(0, colon)), message.substring(colon + 2));
        }
    }

    /** Berth's {@code http.threads}: {@code auto}, {@code virtual} (Java 21 and later only) or {@code platform}. */
    private static ServerConfig.Threads threads(Section s) {
        String text = s.string("threads", "auto");
        ServerConfig.Threads threads = switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> ServerConfig.Threads.AUTO;
            case "virtual" -> ServerConfig.Threads.VIRTUAL;
            case "platform" -> ServerConfig.Threads.PLATFORM;
            default -> throw new ConfigException(s.key("threads"), "must be auto, virtual or platform, not '" + text
                    + "'");
        };
        int java = Runtime.version().feature();
        if (!threads.availableOn(java)) {
            throw new ConfigException(s.key("threads"), "virtual threads need Java "
                    + ServerConfig.Threads.VIRTUAL_SINCE + " or later; this runtime is Java " + java
                    + " (use auto or platform)");
        }
        return threads;
    }

    private static Optional<TlsSettings> tls(Section s) {
        if (s.has("letsencrypt")) {
            s.readAll("letsencrypt");
            throw new ConfigException(s.key("letsencrypt"), "Let's Encrypt is not supported; give a certificate"
                    + " and key");
        }
        s.readAll("letsencrypt");
        Optional<String> cert = s.string("certificate");
        Optional<String> key = s.string("key");
        List<String> clientCas = s.strings("clientcas");
        String minimum = s.string("minimumtls", TlsSettings.DEFAULT_MINIMUM_TLS);
        List<String> suites = s.strings("ciphersuites");
        if (cert.isEmpty() && key.isEmpty()) {
            if (!clientCas.isEmpty()) {
                throw new ConfigException(s.key("clientcas"), "needs http.tls.certificate and http.tls.key");
            }
            return Optional.empty();
        }
        if (cert.isEmpty()) {
            throw new ConfigException(s.key("certificate"), "missing; http.tls.key is set");
        }
        if (key.isEmpty()) {
            throw new ConfigException(s.key("key"), "missing; http.tls.certificate is set");
        }
        try {
            return Optional.of(new TlsSettings(Path.of(cert.get()), Path.of(key.get()),
                    clientCas.stream().map(Path::of).toList(), minimum, suites));
        } catch (IllegalArgumentException e) {
            // TlsSettings' messages start with the key they are about.
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            throw colon > 0 ? new ConfigException(message.substring(0, colon), message.substring(colon + 2))
                    : new ConfigException(s.path(), message);
        }
    }

    private static Optional<ServerConfig.Debug> debug(Section s) {
        Optional<String> addr = s.string("addr");
        Section prometheus = s.section("prometheus");
        boolean enabled = prometheus.bool("enabled", false);
        String path = prometheus.string("path", "/metrics");
        if (!path.startsWith("/")) {
            throw new ConfigException(prometheus.key("path"), "must start with /, not '" + path + "'");
        }
        if (addr.isEmpty()) {
            return Optional.empty();
        }
        HostPort hp = HostPort.parse(s.key("addr"), addr.get());
        return Optional.of(new ServerConfig.Debug(hp.host(), hp.port(), enabled, path));
    }

    /** {@code host:port}, {@code :port} (every interface) or {@code [v6]:port}, as Go's net.Listen takes them. */
    record HostPort(String host, int port) {
        static HostPort parse(String key, String text) {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException(key, "must be host:port or :port, not '" + text + "'");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "'" + text.substring(colon + 1) + "' is not a port number (0-65535)");
            }
            return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
        }
    }
}
