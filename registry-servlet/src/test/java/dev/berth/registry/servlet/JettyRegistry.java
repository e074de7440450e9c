package dev.berth.registry.servlet;

import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;

/** The servlet in a real Jetty 12 on a free loopback port, under a context path, and an HTTP client for it. */
final class JettyRegistry implements AutoCloseable {
    final Server server = new Server();
    final ServerConnector connector = new ServerConnector(server);
    final String contextPath;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    JettyRegistry(Registry registry, String contextPath) throws Exception {
        this(registry, contextPath, ServletOptions.DEFAULTS);
    }

    JettyRegistry(Registry registry, String contextPath, ServletOptions options) throws Exception {
        this(registry, contextPath, options, AccessGuard.OPEN);
    }

    JettyRegistry(Registry registry, String contextPath, ServletOptions options,
            AccessGuard guard) throws Exception {
        this(registry, contextPath, options, guard, true);
    }

    /** With {@code async} false the servlet is registered without asynchronous support and blocks per transfer. */
    JettyRegistry(Registry registry, String contextPath, ServletOptions options,
            AccessGuard guard, boolean async) throws Exception {
        this.contextPath = contextPath;
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath(contextPath.isEmpty() ? "/" : contextPath);
        ServletHolder holder = new ServletHolder(new RegistryServlet(registry, options, guard));
        holder.setAsyncSupported(async);
        context.addServlet(holder, "/*");
        server.setHandler(context);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + connector.getLocalPort() + contextPath;
    }

    URI uri(String path) {
        return URI.create(base() + path);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
    }

    HttpResponse<byte[]> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * The status line and headers of a HEAD request, read off a plain socket (java.net.http hides Content-Length of
     * HEAD responses, which clients such as docker rely on).
     */
    Map<String, String> head(String path) throws IOException {
        return head(path, "");
    }

    /** As {@link #head(String)}, with extra header lines (each ending in CRLF). */
    Map<String, String> head(String path, String extraHeaders) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", connector.getLocalPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("HEAD " + contextPath + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\n" + extraHeaders + "\r\n").getBytes(
                    StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(),
                    StandardCharsets.ISO_8859_1);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            String[] lines = response.split("\r\n");
            headers.put(":status", lines[0].split(" ")[1]);
            for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
            }
            headers.put(":body-length", String.valueOf(response.length() - response.indexOf("\r\n\r\n") - 4));
            return headers;
        }
    }

    /**
     * The status code of a request sent as raw bytes: the path goes to the server exactly as given (no client-side
     * normalisation of {@code ..} or escapes), with a small body for the methods that carry one.
     */
    int rawStatus(String method, String rawPath) throws IOException {
        return rawStatus(method, rawPath, "");
    }

    /** As {@link #rawStatus(String, String)}, with extra header lines (each ending in CRLF). */
    int rawStatus(String method, String rawPath, String headers) throws IOException {
        return raw(method, rawPath, headers).status();
    }

    /** A response read off a plain socket: status, headers (names in any case) and the body as text. */
    record RawResponse(int status, Map<String, String> headers, String body) {
    }

    /** As {@link #rawStatus(String, String, String)}, the whole response. */
    RawResponse raw(String method, String rawPath, String headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", connector.getLocalPort())) {
            socket.setSoTimeout(10_000);
            boolean body = !method.equals("GET") && !method.equals("HEAD");
            socket.getOutputStream().write((method + " " + contextPath + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\n" + headers + (body ? "Content-Length: 2\r\n\r\n{}" : "\r\n"))
                    .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(),
                    StandardCharsets.ISO_8859_1);
            int end = response.indexOf("\r\n\r\n");
            String[] lines = response.substring(0, end < 0 ? response.length() : end).split("\r\n");
            Map<String, String> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                fields.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
            }
            return new RawResponse(Integer.parseInt(lines[0].split(" ", 3)[1]), fields,
                    end < 0 ? "" : response.substring(end + 4));
        }
    }

    @Override
    public void close() {
        LifeCycle.stop(server);
    }
}
