package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.Registry;
import dev.berth.registry.auth.AccessGuard;
import dev.berth.registry.auth.AccessRules;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.repository.Repository;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-repository delete ({@code DELETE /v2/_berth/repositories/<name>}) and immutable tags over real HTTP in Jetty
 * 12, on the filesystem driver, with Basic authentication and access rules (alice may delete in {@code app/**} and
 * {@code prod/**}, bob may only pull there).
 */
class LifecycleEndpointsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final AccessRules RULES = AccessRules.parse(Map.of("rules", List.of(
            AccessMatrixTest.rule("**", "alice", List.of("pull", "push", "delete")),
            AccessMatrixTest.rule("app/**", "bob", List.of("pull")))));

    @TempDir
    Path root;
    Registry registry;
    JettyRegistry jetty;

    @BeforeEach
    void start() throws Exception {
        registry = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString()))
                .immutableTags(ImmutableTags.of(new ImmutableTags.Rule(List.of("prod/**"), List.of("v*"))))
                .build();
        jetty = new JettyRegistry(registry, "", ServletOptions.DEFAULTS,
                new AccessGuard(new AccessMatrixTest.TestBasicAuthenticator(), RULES));
    }

    @AfterEach
    void stop() throws Exception {
        jetty.close();
        registry.close();
    }

    static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<byte[]> send(String credentials, String method, String path) throws Exception {
        return send(credentials, method, path, null, null);
    }

    HttpResponse<byte[]> send(String credentials, String method, String path, byte[] body, String contentType)
            throws Exception {
        HttpRequest.Builder b = jetty.request(path).method(method,
                body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body));
        if (credentials != null) {
            b.header("Authorization", basic(credentials));
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return jetty.send(b.build());
    }

    static JsonNode error(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        return JSON.readTree(r.body()).path("errors").path(0);
    }

    /** An image manifest whose config and layer are in {@code repo}. */
    static byte[] manifest(Repository repo, String seed) throws Exception {
        byte[] config = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("the layer of " + seed).getBytes(StandardCharsets.UTF_8);
        repo.uploads().put(Digest.sha256(config), new ByteArrayInputStream(config));
        repo.uploads().put(Digest.sha256(layer), new ByteArrayInputStream(layer));
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    Digest push(String repository, String tag, String seed) throws Exception {
        Repository repo = registry.repository(repository);
        return repo.manifests().put(Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest(repo, seed)).digest();
    }

    Path repositoryFolder(String name) {
        return root.resolve("docker/registry/v2/repositories").resolve(name);
    }

    @Test
    void deletingARepositoryAnswers202AndLeavesNestedOnes() throws Exception {
        push("app/x", "v1", "one");
        push("app/x/nested", "v1", "nested");

        HttpResponse<byte[]> r = send("alice:alice-pw", "DELETE", "/v2/_berth/repositories/app/x");

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("app/x/nested"));
        HttpResponse<byte[]> tags = send("alice:alice-pw", "GET", "/v2/app/x/tags/list");
        assertThat(tags.statusCode()).isEqualTo(404);
        assertThat(error(tags).path("code").asText()).isEqualTo("NAME_UNKNOWN");
        assertThat(send("alice:alice-pw", "GET", "/v2/app/x/nested/tags/list").statusCode()).isEqualTo(200);
        try (var children = Files.list(repositoryFolder("app/x"))) {
            assertThat(children.map(p -> p.getFileName().toString()).toList()).containsExactly("nested");
        }
        assertThat(Files.list(root.resolve("docker/registry/v2/blobs/sha256")).count()).isPositive();
        HttpResponse<byte[]> catalog = send("alice:alice-pw", "GET", "/v2/_catalog");
        assertThat(JSON.readTree(catalog.body()).path("repositories").toString()).isEqualTo("[\"app/x/nested\"]");
    }

    @Test
    void aRepositoryWithoutNestedOnesLeavesNoFolderBehind() throws Exception {
        push("app/solo", "v1", "one");
        assertThat(send("alice:alice-pw", "DELETE", "/v2/_berth/repositories/app/solo").statusCode()).isEqualTo(202);
        assertThat(Files.exists(repositoryFolder("app/solo"))).isFalse();
        assertThat(registry.catalog()).isEmpty();
    }

    @Test
    void anUnknownRepositoryIs404NameUnknown() throws Exception {
        HttpResponse<byte[]> r = send("alice:alice-pw", "DELETE", "/v2/_berth/repositories/app/nosuch");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(error(r).path("code").asText()).isEqualTo("NAME_UNKNOWN");
        // a name ending like an endpoint is still just a name here
        HttpResponse<byte[]> odd = send("alice:alice-pw", "DELETE", "/v2/_berth/repositories/app/tags/list");
        assertThat(odd.statusCode()).isEqualTo(404);
        assertThat(error(odd).path("code").asText()).isEqualTo("NAME_UNKNOWN");
        HttpResponse<byte[]> invalid = send("alice:alice-pw", "DELETE", "/v2/_berth/repositories/App");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(error(invalid).path("code").asText()).isEqualTo("NAME_INVALID");
    }

    @Test
    void onlyDeleteIsAllowedOnTheAdminEndpoint() throws Exception {
        push("app/x", "v1", "one");
        HttpResponse<byte[]> r = send("alice:alice-pw", "GET", "/v2/_berth/repositories/app/x");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("app/x"));
    }

    @Test
    void callersWithoutDeleteAreRefusedAndNothingIsDeleted() throws Exception {
        push("app/x", "v1", "one");

        HttpResponse<byte[]> anonymous = send(null, "DELETE", "/v2/_berth/repositories/app/x");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains(AccessMatrixTest.CHALLENGE);
        assertThat(error(anonymous).path("code").asText()).isEqualTo("UNAUTHORIZED");

        HttpResponse<byte[]> bob = send("bob:bob-pw", "DELETE", "/v2/_berth/repositories/app/x");
        assertThat(bob.statusCode()).isEqualTo(403);
        assertThat(error(bob).path("code").asText()).isEqualTo("DENIED");

        // the check comes first: bob cannot learn whether a repository exists
        HttpResponse<byte[]> bobUnknown = send("bob:bob-pw", "DELETE", "/v2/_berth/repositories/app/nosuch");
        assertThat(bobUnknown.statusCode()).isEqualTo(403);

        HttpResponse<byte[]> wrong = send("alice:nope", "DELETE", "/v2/_berth/repositories/app/x");
        assertThat(wrong.statusCode()).isEqualTo(401);

        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("app/x"));
        assertThat(registry.repository("app/x").tags().list()).containsExactly(Tag.parse("v1"));
    }

    @Test
    void isA405WhenDeletesAreDisabled() throws Exception {
        try (Registry noDeletes = Registry.builder().storage("filesystem", Map.of("rootdirectory", root.toString()))
                .deletesEnabled(false).build();
                JettyRegistry server = new JettyRegistry(noDeletes, "/reg")) {
            push("app/x", "v1", "one");
            HttpResponse<byte[]> r = server.send(server.request("/v2/_berth/repositories/app/x").DELETE().build());
            assertThat(r.statusCode()).isEqualTo(405);
            assertThat(error(r).path("code").asText()).isEqualTo("UNSUPPORTED");
            assertThat(noDeletes.catalog()).containsExactly(RepositoryName.parse("app/x"));
        }
    }

    @Test
    void aRepositoryHoldingAnImmutableTagIs403() throws Exception {
        push("prod/app", "v1", "one");
        HttpResponse<byte[]> r = send("alice:alice-pw", "DELETE", "/v2/_berth/repositories/prod/app");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(error(r).path("code").asText()).isEqualTo("DENIED");
        assertThat(error(r).path("detail").asText()).contains("tag v1 is immutable in repository prod/app");
        assertThat(registry.catalog()).containsExactly(RepositoryName.parse("prod/app"));
    }

    @Test
    void movingAnImmutableTagIs403DeniedAndRePushingTheSameDigestIs201() throws Exception {
        Repository prod = registry.repository("prod/app");
        byte[] first = manifest(prod, "one");
        byte[] second = manifest(prod, "two");
        HttpResponse<byte[]> created = send("alice:alice-pw", "PUT", "/v2/prod/app/manifests/v1", first,
                MediaTypes.OCI_MANIFEST);
        assertThat(created.statusCode()).isEqualTo(201);

        HttpResponse<byte[]> again = send("alice:alice-pw", "PUT", "/v2/prod/app/manifests/v1", first,
                MediaTypes.OCI_MANIFEST);
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.headers().firstValue("Docker-Content-Digest")).contains(Digest.sha256(first).toString());

        HttpResponse<byte[]> moved = send("alice:alice-pw", "PUT", "/v2/prod/app/manifests/v1", second,
                MediaTypes.OCI_MANIFEST);
        assertThat(moved.statusCode()).isEqualTo(403);
        JsonNode e = error(moved);
        assertThat(e.path("code").asText()).isEqualTo("DENIED");
        assertThat(e.path("message").asText()).isEqualTo("requested access to the resource is denied");
        assertThat(e.path("detail").asText()).startsWith("tag v1 is immutable in repository prod/app");

        HttpResponse<byte[]> viaQuery = send("alice:alice-pw", "PUT", "/v2/prod/app/manifests/"
                + Digest.sha256(second) + "?tag=v1&tag=latest", second, MediaTypes.OCI_MANIFEST);
        assertThat(viaQuery.statusCode()).isEqualTo(403);
        assertThat(prod.tags().get(Tag.parse("latest"))).isEmpty();

        HttpResponse<byte[]> deleteTag = send("alice:alice-pw", "DELETE", "/v2/prod/app/manifests/v1");
        assertThat(deleteTag.statusCode()).isEqualTo(403);
        assertThat(error(deleteTag).path("code").asText()).isEqualTo("DENIED");
        HttpResponse<byte[]> deleteManifest = send("alice:alice-pw", "DELETE", "/v2/prod/app/manifests/"
                + Digest.sha256(first));
        assertThat(deleteManifest.statusCode()).isEqualTo(403);

        assertThat(prod.tags().get(Tag.parse("v1"))).contains(Digest.sha256(first));
        assertThat(prod.manifests().get(Reference.of(Digest.sha256(second)))).isEmpty();
    }
}
