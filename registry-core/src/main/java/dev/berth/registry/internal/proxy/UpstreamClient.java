package dev.berth.registry.internal.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Manifest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.proxy.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Talks to one upstream registry as a client does: manifests and blobs by the Distribution API, with the upstream's
 * auth flow (401 with a {@code Bearer} challenge, then a token from its token server for the repository's pull
 * scope, with the configured credentials or anonymously; or {@code Basic}). Tokens are cached per scope until they
 * expire. Redirects (to a CDN or presigned storage URL) are followed without sending credentials along.
 * Thread-safe.
 */
public final class UpstreamClient {
    /** Manifests larger than this are refused, as the registry refuses to accept them. */
    public static final int MANIFEST_LIMIT = 4 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final String ACCEPT = String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    private final Upstream upstream;
    private final HttpClient http;
    private final Duration timeout;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private volatile boolean basic;

    private record Token(String value, Instant expires) {
    }

    /** A manifest as the upstream served it. */
    public record Fetched(byte[] bytes, String mediaType, Digest digest) {
    }

    /** A blob body being received; the caller closes the stream. */
    public record Body(InputStream stream, long length) {
    }

    public UpstreamClient(Upstream upstream, Duration timeout) {
        this.upstream = upstream;
        this.timeout = timeout;
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        upstream.sslContext().ifPresent(client::sslContext);
        this.http = client.build();
    }

    public Upstream upstream() {
        return upstream;
    }

    /**
     * The manifest {@code reference} (a tag or a digest) of repository {@code repo} upstream; empty when the upstream
     * does not have it. A manifest fetched by digest must have that digest.
     *
     * @throws IOException when the upstream cannot be reached or answers anything but the manifest or 404
     */
    public Optional<Fetched> manifest(String repo, String reference) throws IOException {
        HttpResponse<InputStream> r = send(repo, "GET", "/v2/" + repo + "/manifests/" + reference, ACCEPT);
        try (InputStream body = r.body()) {
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            if (r.statusCode() != 200) {
                throw new IOException("upstream " + upstream.redactedUrl() + " answered " + r.statusCode()
                        + " for manifest " + repo + ":" + reference);
            }
            byte[] bytes = body.readNBytes(MANIFEST_LIMIT + 1);
            if (bytes.length > MANIFEST_LIMIT) {
                throw new IOException("upstream manifest " + repo + ":" + reference + " is larger than 4 MiB");
            }
            Digest digest = Digest.sha256(bytes);
            if (reference.contains(":") && !Digest.parse(reference).matches(bytes)) {
                throw new IOException("upstream served manifest " + repo + "@" + reference + " with digest " + digest);
            }
            String type = r.headers().firstValue("Content-Type").map(t -> t.split(";")[0].trim()).orElse(null);
            try {
                // What a captive portal or a broken upstream serves with 200 must not be cached as the tag.
                Manifest.parse(bytes, type);
            } catch (RegistryException e) {
                throw new IOException("upstream served " + repo + ":" + reference + " as something that is not a "
                        + "manifest Berth accepts (" + (type == null ? "no Content-Type" : type) + "): "
                        + e.detail());
            }
            return Optional.of(new Fetched(bytes, type, digest));
        }
    }

    /**
     * Proves that the upstream answers as a registry, for a health check: one {@code GET /v2/} without credentials,
     * bounded by {@code timeout}. 200 and 401 (the upstream wants a token: it is there) pass.
     *
     * @throws IOException saying what failed; the message holds the upstream's scheme, host, port and path, never
     *                     credentials
     */
    public void ping(Duration timeout) throws IOException {
        Duration bound = timeout.compareTo(this.timeout) < 0 ? timeout : this.timeout;
        HttpRequest.Builder b = HttpRequest.newBuilder(request("GET", "/v2/", null, null).uri()).timeout(bound).GET();
        HttpResponse<InputStream> r;
        try {
            r = exchange(b.build());
        } catch (IOException e) {
            throw new IOException("cannot reach upstream " + safeUrl() + ": " + e, e);
        }
        r.body().close();
        if (r.statusCode() != 200 && r.statusCode() != 401) {
            throw new IOException("upstream " + safeUrl() + " answered " + r.statusCode() + " to GET /v2/");
        }
    }

    /** The upstream's URL without any user information (which may hold a password). */
    private String safeUrl() {
        URI u = upstream.url();
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    /** The size of a blob upstream, when the upstream has it. */
    public Optional<Long> blobSize(String repo, Digest digest) throws IOException {
        HttpResponse<InputStream> r = send(repo, "HEAD", "/v2/" + repo + "/blobs/" + digest, null);
        r.body().close();
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new IOException("upstream " + upstream.redactedUrl() + " answered " + r.statusCode() + " for blob "
                    + digest);
        }
        return r.headers().firstValueAsLong("Content-Length").stream().boxed().findFirst();
    }

    /** The bytes of a blob upstream, when it has it. */
    public Optional<Body> blob(String repo, Digest digest) throws IOException {
        HttpResponse<InputStream> r = send(repo, "GET", "/v2/" + repo + "/blobs/" + digest, null);
        for (int hops = 0; isRedirect(r.statusCode()) && hops < 5; hops++) {
            r.body().close();
            URI next;
            try {
                next = r.uri().resolve(r.headers().firstValue("Location")
                        .orElseThrow(() -> new IOException("upstream redirect without a Location")));
            } catch (IllegalArgumentException e) {
                throw new IOException("upstream redirected to an invalid URL", e);
            }
            if (next.getScheme() == null || !next.getScheme().matches("https?")) {
                throw new IOException("upstream redirected to a " + next.getScheme() + " URL; only http(s) is followed");
            }
            r = exchange(HttpRequest.newBuilder(next).timeout(timeout).GET().build());
        }
        if (r.statusCode() == 404) {
            r.body().close();
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            r.body().close();
            throw new IOException("upstream " + upstream.redactedUrl() + " answered " + r.statusCode() + " for blob "
                    + digest);
        }
        return Optional.of(new Body(r.body(), r.headers().firstValueAsLong("Content-Length").orElse(-1)));
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** One request, authenticated as the upstream asks: on a 401 challenge, the credentials it wants, once. */
    private HttpResponse<InputStream> send(String repo, String method, String path, String accept) throws IOException {
        String scope = "repository:" + repo + ":pull";
        HttpResponse<InputStream> r = exchange(request(method, path, accept, authorization(scope)));
        if (r.statusCode() != 401) {
            return r;
        }
        r.body().close();
        String challenge = r.headers().allValues("WWW-Authenticate").stream().findFirst().orElse("");
        if (challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            Map<String, String> params = params(challenge);
            String realm = params.get("realm");
            if (realm == null) {
                throw new IOException("upstream " + upstream.redactedUrl()
                        + " sent a Bearer challenge without a realm");
            }
            tokens.put(scope, token(realm, params.get("service"), params.getOrDefault("scope", scope)));
        } else if (challenge.regionMatches(true, 0, "Basic", 0, 5) && upstream.username().isPresent()) {
            basic = true;
        } else {
            return exchange(request(method, path, accept, null)); // nothing more to offer: the caller sees the 401
        }
        return exchange(request(method, path, accept, authorization(scope)));
    }

    private Optional<String> authorizationValue(String scope) {
        Token t = tokens.get(scope);
        if (t != null && t.expires().isAfter(Instant.now())) {
            return Optional.of("Bearer " + t.value());
        }
        if (basic) {
            return Optional.of(basicHeader());
        }
        return Optional.empty();
    }

    private String authorization(String scope) {
        return authorizationValue(scope).orElse(null);
    }

    private String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((upstream.username().orElse("") + ":"
                + upstream.password().orElse("")).getBytes(StandardCharsets.UTF_8));
    }

    private Token token(String realm, String service, String scope) throws IOException {
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        if (service != null) {
            url.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8)).append('&');
        }
        url.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.toString())).timeout(timeout).GET();
        if (upstream.username().isPresent()) {
            b.header("Authorization", basicHeader());
        }
        HttpResponse<InputStream> r = exchange(b.build());
        try (InputStream body = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("upstream token server " + URI.create(realm).getHost() + " answered "
                        + r.statusCode() + (upstream.username().isPresent() ? " (check proxy username/password)" : ""));
            }
            JsonNode json = JSON.readTree(body.readNBytes(1 << 20));
            String value = json.path("token").asText(json.path("access_token").asText(""));
            if (value.isEmpty()) {
                throw new IOException("upstream token server answered without a token");
            }
            long seconds = Math.max(json.path("expires_in").asLong(60), 10);
            return new Token(value, Instant.now().plusSeconds(seconds - 5));
        }
    }

    static Map<String, String> params(String challenge) {
        Map<String, String> out = new HashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            out.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        return out;
    }

    private HttpRequest request(String method, String path, String accept, String authorization) {
        URI base = upstream.url();
        String prefix = base.getPath() == null || base.getPath().equals("/") ? "" : base.getPath().replaceAll("/$", "");
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(prefix + path)).timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    private HttpResponse<InputStream> exchange(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted talking to upstream " + upstream.redactedUrl(), e);
        }
    }

}
