package dev.berth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.berth.registry.Registry;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import dev.berth.registry.repository.Repository;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code delete-repository} and {@code retention} through {@link Main#run}, on a filesystem root seeded through the
 * core; push times are set on the tags' link files, as the filesystem driver reports them.
 */
class AdminCommandsTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        return run(Map.of(), args);
    }

    int run(Map<String, String> env, String... args) {
        out.reset();
        err.reset();
        return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    Path root() {
        return dir.resolve("data");
    }

    Path config(String extra) throws Exception {
        return Files.writeString(dir.resolve("config.yml"), "version: 0.1\nlog: {level: warn}\nstorage:\n"
                + "  filesystem: {rootdirectory: '" + root() + "'}\n  delete: {enabled: true}\n" + extra);
    }

    Registry registry() {
        return Registry.builder().storage("filesystem", Map.of("rootdirectory", root().toString())).build();
    }

    /** Pushes a distinct image under {@code tag}, then dates the tag's push to {@code minute} minutes past noon. */
    static Digest push(Registry registry, Path root, String repository, String tag, int minute) throws Exception {
        Repository repo = registry.repository(repository);
        String seed = repository + ":" + tag;
        byte[] config = ("{\"seed\":\"" + seed + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("the layer of " + seed).getBytes(StandardCharsets.UTF_8);
        repo.uploads().put(Digest.sha256(config), new ByteArrayInputStream(config));
        repo.uploads().put(Digest.sha256(layer), new ByteArrayInputStream(layer));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + "{\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP
                + "\",\"digest\":\"" + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        Digest d = repo.manifests().put(Reference.parse(tag), MediaTypes.OCI_MANIFEST, manifest).digest();
        Path link = root.resolve("docker/registry/v2/repositories/" + repository + "/_manifests/tags/" + tag
                + "/current/link");
        Files.setLastModifiedTime(link, FileTime.from(Instant.parse("2026-03-01T12:00:00Z").plusSeconds(60L * minute)));
        return d;
    }

    static List<String> tags(Registry registry, String repository) {
        return registry.repository(repository).tags().list().stream().map(Tag::value).toList();
    }

    /**
     * A value read from a {@code REGISTRY_*_FILE} variable never reaches the output, also in errors that come after
     * the configuration was loaded: here the storage driver cannot use a root directory (a path under a plain file)
     * that came from a secret file, and says so, for every command that opens the storage.
     */
    @Test
    void aValueFromASecretFileIsMaskedInTheCommandsErrors() throws Exception {
        Path config = config("retention:\n  policies: [{repositories: ['**'], keeplast: 1}]\n");
        Path plainFile = Files.writeString(dir.resolve("not-a-folder"), "x");
        String secret = plainFile.resolve("s3cr3t-location").toString();
        Path secretFile = Files.writeString(dir.resolve("rootdirectory.secret"), secret + "\n");
        Map<String, String> env = Map.of("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY_FILE", secretFile.toString());
        for (String[] command : List.of(new String[] {"delete-repository", config.toString(), "team/app"},
                new String[] {"retention", config.toString()}, new String[] {"garbage-collect", config.toString()})) {
            assertThat(run(env, command)).as(command[0] + ": " + err()).isNotZero();
            assertThat(err()).as(command[0]).isNotEmpty().doesNotContain("s3cr3t")
                    .contains("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY_FILE");
            assertThat(out()).as(command[0]).doesNotContain("s3cr3t");
        }
    }

    @Test
    void deleteRepositoryDeletesItAndPrintsWhatItRemoved() throws Exception {
        Path config = config("");
        try (Registry registry = registry()) {
            push(registry, root(), "team/app", "v1", 1);
            push(registry, root(), "team/app", "v2", 2);
            push(registry, root(), "team/app/sub", "v1", 3);
        }
        assertThat(run("delete-repository", config.toString(), "team/app")).as(err()).isZero();
        assertThat(out()).contains("deleted repository team/app: 2 tag(s) (v1, v2), 2 manifest(s), 4 blob link(s)",
                "garbage-collect");
        try (Registry registry = registry()) {
            assertThat(registry.catalog()).containsExactly(RepositoryName.parse("team/app/sub"));
        }
        assertThat(run("delete-repository", config.toString(), "team/app")).isEqualTo(1);
        assertThat(err()).contains("NAME_UNKNOWN", "repository team/app is not known");
    }

    @Test
    void deleteRepositoryRefusesWhenDeletesAreDisabledOrATagIsImmutable() throws Exception {
        try (Registry registry = registry()) {
            push(registry, root(), "prod/app", "v1", 1);
        }
        Path disabled = Files.writeString(dir.resolve("nodelete.yml"), "version: 0.1\nlog: {level: warn}\nstorage:\n"
                + "  filesystem: {rootdirectory: '" + root() + "'}\n");
        assertThat(run("delete-repository", disabled.toString(), "prod/app")).isEqualTo(1);
        assertThat(err()).contains("UNSUPPORTED", "deletes are disabled");
        Path immutable = config("tags:\n  immutable:\n    - repositories: ['prod/**']\n      tags: ['v*']\n");
        assertThat(run("delete-repository", immutable.toString(), "prod/app")).isEqualTo(1);
        assertThat(err()).contains("DENIED", "tag v1 is immutable in repository prod/app");
        try (Registry registry = registry()) {
            assertThat(tags(registry, "prod/app")).containsExactly("v1");
        }
    }

    @Test
    void badCommandLinesExitWithTwo() throws Exception {
        Path config = config("");
        assertThat(run("delete-repository", config.toString())).isEqualTo(2);
        assertThat(err()).contains("delete-repository needs config.yml and a repository name");
        assertThat(run("delete-repository", config.toString(), "a", "b")).isEqualTo(2);
        assertThat(err()).contains("unexpected argument 'b'");
        assertThat(run("delete-repository", config.toString(), "a", "--dry-run")).isEqualTo(2);
        assertThat(run("delete-repository", config.toString(), "Not A Name")).isEqualTo(1);
        assertThat(err()).contains("NAME_INVALID");
        assertThat(run("retention")).isEqualTo(2);
        assertThat(run("retention", config.toString())).isEqualTo(2);
        assertThat(err()).contains("has no retention.policies");
        assertThat(run("retention", dir.resolve("missing.yml").toString())).isEqualTo(2);
        assertThat(err()).contains("configuration error", "missing.yml does not exist");
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("delete-repository config.yml NAME", "retention config.yml [--dry-run]");
    }

    @Test
    void retentionPrintsTheReportAndADryRunDeletesNothing() throws Exception {
        Path config = config("""
                retention:
                  policies:
                    - repositories: ["ci/**"]
                      keeplast: 2
                      keeptags: ["latest"]
                """);
        Digest oldest;
        try (Registry registry = registry()) {
            push(registry, root(), "ci/app", "latest", 0);
            oldest = push(registry, root(), "ci/app", "b1", 1);
            push(registry, root(), "ci/app", "b2", 2);
            push(registry, root(), "ci/app", "b3", 3);
            push(registry, root(), "ci/app", "b4", 4);
            push(registry, root(), "other/app", "b1", 1);
        }

        assertThat(run("retention", config.toString(), "--dry-run")).as(err()).isZero();
        assertThat(out()).contains("retention (dry run, nothing deleted): 1 repositories, 2 tag(s) to delete, 3 kept",
                "ci/app:", "would delete b2", "would delete b1  " + oldest + "  pushed 2026-03-01T12:01:00Z",
                "kept         b4", "kept         latest");
        try (Registry registry = registry()) {
            assertThat(tags(registry, "ci/app")).containsExactly("b1", "b2", "b3", "b4", "latest");
        }

        assertThat(run("retention", config.toString())).as(err()).isZero();
        assertThat(out()).contains("2 tag(s) deleted", "deleted      b1", "garbage-collect --delete-untagged");
        try (Registry registry = registry()) {
            assertThat(tags(registry, "ci/app")).containsExactly("b3", "b4", "latest");
            assertThat(tags(registry, "other/app")).containsExactly("b1");
            assertThat(registry.repository("ci/app").manifests().get(Reference.of(oldest))).isPresent();
        }
    }

    @Test
    void theConfiguredDryRunIsHonouredAndApplyRetentionIsWhatASchedulerCalls() throws Exception {
        Path config = config("retention:\n  dryrun: true\n  policies: [{repositories: ['**'], keeplast: 1}]\n");
        try (Registry registry = registry()) {
            push(registry, root(), "a", "t1", 1);
            push(registry, root(), "a", "t2", 2);
        }
        assertThat(run("retention", config.toString())).isZero();
        assertThat(out()).contains("dry run", "would delete t1");
        var loaded = ConfigLoader.load(config, Map.of());
        try (Registry registry = Main.openRegistry(loaded, false)) {
            assertThat(AdminCommands.applyRetention(registry, loaded.retention()).dryRun()).isTrue();
            assertThat(tags(registry, "a")).containsExactly("t1", "t2");
            var applied = new ServerConfig.Retention(Duration.ZERO, false,
                    loaded.retention().policies());
            assertThat(AdminCommands.applyRetention(registry, applied).deletedCount()).isEqualTo(1);
            assertThat(tags(registry, "a")).containsExactly("t2");
        }
    }

    @Test
    void theCommandsDeletesReachTheConfiguredNotificationEndpoints() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(
                new InetSocketAddress("127.0.0.1", 0), 10);
        receiver.createContext("/hook", exchange -> {
            try (exchange) {
                new ObjectMapper().readTree(exchange.getRequestBody().readAllBytes())
                        .path("events").forEach(e -> received.add(e.path("action").asText() + " "
                                + e.path("target").path("repository").asText() + " "
                                + e.path("target").path("tag").asText()));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();
        try {
            Path config = config("""
                    retention:
                      policies: [{repositories: ["ci/**"], keeplast: 0, keeptags: ["latest"]}]
                    notifications:
                      endpoints: [{name: hook, url: 'http://127.0.0.1:%d/hook', timeout: 5s, backoff: 100ms}]
                    """.formatted(receiver.getAddress().getPort()));
            try (Registry registry = registry()) {
                push(registry, root(), "ci/app", "latest", 0);
                push(registry, root(), "ci/app", "b1", 1);
                push(registry, root(), "team/app", "v1", 2);
            }
            assertThat(run("retention", config.toString())).as(err()).isZero();
            assertThat(run("delete-repository", config.toString(), "team/app")).as(err()).isZero();

            // Each command returns only after its notifier drained, and the hook records an event before it answers
            // the POST: what was delivered is here now.
            assertThat(received).containsExactly("delete ci/app b1", "delete team/app ");
        } finally {
            receiver.stop(0);
        }
    }
}
