package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.Registry;
import dev.berth.registry.error.ErrorCode;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors the container answers itself get the registry's JSON body: through {@link RegistryErrorPages} registered as
 * the context's error page (errors raised inside the context), and through {@link RegistryErrorPages#body} in a Jetty
 * server-level error handler (requests Jetty cannot parse, answered before any context: 400, 414, 431).
 */
class RegistryErrorPagesTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    Registry registry;
    Server server;
    int port;

    /**
     * Jetty 12 as an embedder sets it up: the registry under {@code /registry}, mounted at {@code /v2/*} beside the
     * application's own paths, a filter of the application's in front, the error page, and the server's handler.
     */
    @BeforeEach
    void start() throws Exception {
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString())).build();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/registry");
        ServletOptions options = new ServletOptions(Optional.empty(), false, Map.of("X-Frame-Options",
                List.of("DENY")), 1000);
        context.addServlet(new ServletHolder(new RegistryServlet(registry, options)), "/v2/*");
        context.addServlet(new ServletHolder(new RegistryErrorPages(options)), RegistryErrorPages.PATH);
        Filter gate = (request, response, chain) -> {
            HttpServletRequest r = (HttpServletRequest) request;
            if (r.getHeader("X-Refuse") != null) {
                ((HttpServletResponse) response).sendError(403, "refused by the application's filter");
                return;
            }
            if (r.getHeader("X-Fail") != null) {
                throw new IllegalStateException("secret internals of the application");
            }
            chain.doFilter(request, response);
        };
        context.addFilter(new FilterHolder(gate), "/*", EnumSet.of(DispatcherType.REQUEST));
        ErrorPageErrorHandler errors = new ErrorPageErrorHandler() {
            @Override
            public boolean errorPageForMethod(String method) {
                return true; // Jetty's default: GET, POST and HEAD only
            }
        };
        errors.addErrorPage(400, 599, RegistryErrorPages.PATH);
        context.setErrorHandler(errors);
        server.setHandler(context);
        server.setErrorHandler(new ErrorHandler() {
            @Override
            public boolean errorPageForMethod(String method) {
                return true;
            }

            @Override
            protected void generateResponse(Request request, Response response, int status, String message,
                    Throwable cause, Callback callback) {
                response.getHeaders().put(RegistryErrorPages.API_VERSION_HEADER, RegistryErrorPages.API_VERSION);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(RegistryErrorPages.body(status, message)), callback);
            }
        });
        server.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        registry.close();
    }

    @Test
    void errorsTheContextRaisesGetTheRegistrysBodyWithItsHeaders() throws Exception {
        for (String method : List.of("GET", "PUT", "PATCH", "DELETE")) {
            Raw r = send(method + " /registry/elsewhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + (method.equals("GET") ? "" : "Content-Length: 2\r\n") + "\r\n" + (method.equals("GET") ? ""
                    : "{}"));
            // Jetty's own answer for a path no servlet takes: 404, or 405 or 501 for what its default servlet refuses
            assertThat(r.status).as(method).isIn(404, 405, 501);
            assertThat(r.headers).as(method).containsEntry("Docker-Distribution-API-Version", "registry/2.0")
                    .containsEntry("X-Frame-Options", "DENY");
            assertThat(r.headers.get("Content-Type")).as(method).startsWith("application/json");
            assertThat(error(r).path("code").asText()).as(method).isEqualTo(r.status == 404 ? "NOT_FOUND"
                    : "UNSUPPORTED");
            assertThat(error(r).path("code").asText()).as(method).isEqualTo(RegistryErrorPages.codeFor(r.status)
                    .value());
        }
        Raw head = send("HEAD /registry/elsewhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(head.status).isEqualTo(404);
        assertThat(head.body).isEmpty();

        Raw refused = send("GET /registry/v2/ HTTP/1.1\r\nHost: x\r\nX-Refuse: 1\r\nConnection: close\r\n\r\n");
        assertThat(refused.status).isEqualTo(403);
        assertThat(error(refused).path("code").asText()).isEqualTo("DENIED");
        assertThat(error(refused).path("detail").asText()).contains("refused by the application's filter");

        Raw failed = send("GET /registry/v2/ HTTP/1.1\r\nHost: x\r\nX-Fail: 1\r\nConnection: close\r\n\r\n");
        assertThat(failed.status).isEqualTo(500);
        assertThat(error(failed).path("code").asText()).isEqualTo("UNKNOWN");
        assertThat(failed.body).doesNotContain("secret internals").doesNotContain("IllegalStateException");

        Raw direct = send("GET /registry" + RegistryErrorPages.PATH + " HTTP/1.1\r\nHost: x\r\nConnection: close"
                + "\r\n\r\n");
        assertThat(direct.status).isEqualTo(404);
        assertThat(error(direct).path("code").asText()).isEqualTo("NOT_FOUND");

        assertThat(send("GET /registry/v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status)
                .as("the registry itself").isEqualTo(200);
    }

    @Test
    void requestsJettyCannotParseGetTheRegistrysBodyFromTheServersHandler() throws Exception {
        Map<String, Integer> cases = Map.of(
                "GET /registry/v2/" + "a".repeat(10_000) + "/tags/list HTTP/1.1\r\nHost: x\r\n", 414,
                "PUT /registry/v2/" + "a".repeat(10_000) + "/manifests/v1 HTTP/1.1\r\nHost: x\r\n", 414,
                "GET /registry/v2/a/tags/list HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(10_000) + "\r\n", 431,
                "GET /registry/v2/a/%2e%2e/b/tags/list HTTP/1.1\r\nHost: x\r\n", 400,
                "GET /registry/v2/%zz/tags/list HTTP/1.1\r\nHost: x\r\n", 400,
                "GET /registry/v2/a/tags/list HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n", 400);
        for (Map.Entry<String, Integer> c : cases.entrySet()) {
            String what = c.getKey().substring(0, 40);
            Raw r = send(c.getKey() + "Connection: close\r\n\r\n");
            assertThat(r.status).as(what).isEqualTo(c.getValue());
            assertThat(r.headers).as(what).containsEntry("Docker-Distribution-API-Version", "registry/2.0")
                    .containsEntry("Content-Type", "application/json");
            JsonNode error = error(r);
            assertThat(error.path("code").asText()).as(what).isEqualTo("UNSUPPORTED");
            assertThat(error.path("message").asText()).as(what).isNotEmpty();
            assertThat(error.path("detail").asText()).as(what).isNotEmpty();
        }
    }

    /** Tomcat's valve for what it answers before any context (what a Jetty server handler is to Jetty). */
    public static class RegistryErrorValve extends ErrorReportValve {
        @Override
        protected void report(org.apache.catalina.connector.Request request,
                org.apache.catalina.connector.Response response, Throwable cause) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            try {
                RegistryErrorPages.write(request, response, status, response.getMessage());
            } catch (IOException clientGone) {
                // nothing more to tell it
            }
        }
    }

    /**
     * The servlet is the container's to call: Tomcat's error pages reach it the same way, and {@link
     * RegistryErrorPages#write} answers in a Host's error valve what Tomcat refuses before any context.
     */
    @Test
    void tomcatsErrorPagesAndErrorValveAnswerWithTheRegistrysBody(@TempDir Path tomcatBase) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(tomcatBase.toString());
        ((StandardHost) tomcat.getHost()).setErrorReportValveClass(RegistryErrorValve.class.getName());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("/registry", tomcatBase.toString());
        Tomcat.addServlet(context, "registry", new RegistryServlet(registry));
        context.addServletMappingDecoded("/v2/*", "registry");
        Tomcat.addServlet(context, "errors", new RegistryErrorPages());
        context.addServletMappingDecoded(RegistryErrorPages.PATH, "errors");
        ErrorPage page = new ErrorPage(); // no code: every error status
        page.setLocation(RegistryErrorPages.PATH);
        context.addErrorPage(page);
        tomcat.start();
        try {
            port = connector.getLocalPort();
            Raw r = send("DELETE /registry/elsewhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(r.status).isEqualTo(404);
            assertThat(r.headers).containsEntry("Docker-Distribution-API-Version", "registry/2.0");
            assertThat(error(r).path("code").asText()).isEqualTo("NOT_FOUND");
            for (String request : List.of(
                    "GET /registry/v2/" + "a".repeat(10_000) + "/tags/list HTTP/1.1\r\nHost: x\r\n",
                    "GET /registry/v2/a/tags/list HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(10_000) + "\r\n",
                    "GET /registry/v2/%zz/tags/list HTTP/1.1\r\nHost: x\r\n")) {
                Raw refused = send(request + "Connection: close\r\n\r\n");
                String what = request.substring(0, 40);
                assertThat(refused.status).as(what).isEqualTo(400); // Tomcat answers all three 400
                assertThat(refused.headers).as(what).containsEntry("Docker-Distribution-API-Version", "registry/2.0");
                assertThat(error(refused).path("code").asText()).as(what).isEqualTo("UNSUPPORTED");
            }
        } finally {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    @Test
    void statusesMapToTheRegistrysCodes() {
        assertThat(RegistryErrorPages.codeFor(400)).isEqualTo(ErrorCode.UNSUPPORTED_PARAMETERS);
        assertThat(RegistryErrorPages.codeFor(414)).isEqualTo(ErrorCode.UNSUPPORTED_PARAMETERS);
        assertThat(RegistryErrorPages.codeFor(431)).isEqualTo(ErrorCode.UNSUPPORTED_PARAMETERS);
        assertThat(RegistryErrorPages.codeFor(401)).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(RegistryErrorPages.codeFor(403)).isEqualTo(ErrorCode.DENIED);
        assertThat(RegistryErrorPages.codeFor(404)).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(RegistryErrorPages.codeFor(405)).isEqualTo(ErrorCode.UNSUPPORTED);
        assertThat(RegistryErrorPages.codeFor(413)).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
        assertThat(RegistryErrorPages.codeFor(416)).isEqualTo(ErrorCode.RANGE_INVALID);
        assertThat(RegistryErrorPages.codeFor(429)).isEqualTo(ErrorCode.TOOMANYREQUESTS);
        assertThat(RegistryErrorPages.codeFor(500)).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(RegistryErrorPages.codeFor(501)).isEqualTo(ErrorCode.UNSUPPORTED);
        assertThat(RegistryErrorPages.codeFor(502)).isEqualTo(ErrorCode.UNKNOWN);
        assertThat(RegistryErrorPages.codeFor(503)).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(new String(RegistryErrorPages.body(500, "NullPointerException at Secret.java:12"),
                StandardCharsets.UTF_8)).doesNotContain("Secret");
    }

    // ------------------------------------------------------------------ helpers

    record Raw(int status, Map<String, String> headers, String body) {
    }

    /** Sends bytes exactly as given (no client-side checks or normalisation) and reads the whole response. */
    private Raw send(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = response.indexOf("\r\n\r\n");
            String[] lines = response.substring(0, end).split("\r\n");
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
            }
            return new Raw(Integer.parseInt(lines[0].split(" ", 3)[1]), headers, response.substring(end + 4));
        }
    }

    private static JsonNode error(Raw r) throws IOException {
        JsonNode errors = JSON.readTree(r.body).path("errors");
        assertThat(errors.size()).as(r.body).isEqualTo(1);
        return errors.get(0);
    }
}
