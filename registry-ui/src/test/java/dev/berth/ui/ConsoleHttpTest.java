package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.model.Tag;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console over HTTP, mounted under a context path next to the registry servlet in a real Jetty. */
class ConsoleHttpTest {
    @TempDir
    Path dir;
    private ConsoleServer server;
    private final Http http = new Http();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private ConsoleServer start(boolean auth) throws Exception {
        server = ConsoleServer.start(auth, dir);
        return server;
    }

    private void signIn(String user, String password) throws Exception {
        String form = http.get(server.ui() + "/login").body();
        HttpResponse<String> r = http.post(server.ui() + "/login", List.of(Map.entry("csrf", Http.csrf(form)),
                Map.entry("user", user), Map.entry("password", password)));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue(ConsoleServer.CONTEXT + "/ui/");
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        start(false);
        for (String path : List.of("/", "/static/app.js", "/static/app.css", "/nothing-here", "/storage")) {
            HttpResponse<String> r = http.get(server.ui() + path);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValue(ConsoleServlet.CSP);
            assertThat(r.headers().firstValue("X-Frame-Options")).as(path).hasValue("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).as(path).hasValue("same-origin");
        }
        HttpResponse<String> js = http.get(server.ui() + "/static/app.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/javascript"));
        assertThat(http.get(server.ui() + "/static/../ConsoleServlet.class").statusCode()).isEqualTo(404);
        assertThat(http.get(server.ui() + "/static/Format.class").statusCode()).isEqualTo(404);
    }

    @Test
    void linksFollowTheContextPathAndTheConsolePath() throws Exception {
        start(false);
        server.content.image("team/app", "1.0", Map.of(), "amd64", 100);
        HttpResponse<String> bare = http.get(server.ui());
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("Location")).hasValue("/reg/ui/");
        String page = http.get(server.ui() + "/").body();
        assertThat(page).contains("href=\"/reg/ui/tags?repo=team%2Fapp\"")
                .contains("src=\"/reg/ui/static/app.js\"")
                .doesNotContain("href=\"/ui/");
    }

    @Test
    void repositoriesAreSearchedAndPagedOnTheServer() throws Exception {
        start(false);
        for (int i = 0; i < 12; i++) {
            server.content.image(String.format("svc/app%02d", i), "1", Map.of(), "amd64", 10);
        }
        server.content.image("tools/other", "1", Map.of(), "amd64", 10);
        String first = http.get(server.ui() + "/").body();
        assertThat(first).contains("13 repositories").contains("Page 1 of 3").contains(">svc/app00<")
                .doesNotContain(">svc/app05<");
        String third = http.get(server.ui() + "/?page=3").body();
        assertThat(third).contains(">svc/app10<").contains(">svc/app11<").contains(">tools/other<")
                .doesNotContain(">svc/app00<");
        String search = http.get(server.ui() + "/?q=OTHER").body();
        assertThat(search).contains("1 repository").contains(">tools/other<").doesNotContain(">svc/app");
        assertThat(http.get(server.ui() + "/?page=x").statusCode()).isEqualTo(400);
    }

    @Test
    void tagsAreSortedNaturally() throws Exception {
        start(false);
        for (String t : List.of("1.10", "1.9", "1.2", "latest", "1.10.1")) {
            server.content.image("app", t, Map.of(), "amd64", 10);
        }
        String page = http.get(server.ui() + "/tags?repo=app").body();
        assertThat(page.indexOf("data-tag=\"1.2\"")).isLessThan(page.indexOf("data-tag=\"1.9\""));
        assertThat(page.indexOf("data-tag=\"1.9\"")).isLessThan(page.indexOf("data-tag=\"1.10\""));
        assertThat(page.indexOf("data-tag=\"1.10\"")).isLessThan(page.indexOf("data-tag=\"1.10.1\""));
    }

    @Test
    void anonymousViewersSeeWhatAnonymousMayPull() throws Exception {
        start(true);
        server.content.image("public/base", "1", Map.of(), "amd64", 10);
        server.content.image("private/secret", "1", Map.of(), "amd64", 10);
        String anonymous = http.get(server.ui() + "/").body();
        assertThat(anonymous).contains(">public/base<").doesNotContain("private/secret").contains("id=\"sign-in\"");
        HttpResponse<String> hidden = http.get(server.ui() + "/tags?repo=private/secret");
        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(hidden.body()).doesNotContain("digest");
        assertThat(http.get(server.ui() + "/storage").body()).doesNotContain("private/secret");

        signIn(ConsoleServer.VIEWER, ConsoleServer.VIEWER_PASSWORD);
        String signedIn = http.get(server.ui() + "/").body();
        assertThat(signedIn).contains(">public/base<").contains(">private/secret<")
                .contains("<span id=\"viewer\">viewer</span>");
        // A viewer who may only pull gets no delete form.
        assertThat(http.get(server.ui() + "/tags?repo=private/secret").body()).doesNotContain("delete-selected");
    }

    @Test
    void signInSetsAStrictCookieAndSignOutEndsTheSession() throws Exception {
        start(true);
        String form = http.get(server.ui() + "/login").body();
        HttpResponse<String> wrong = http.post(server.ui() + "/login", List.of(Map.entry("csrf", Http.csrf(form)),
                Map.entry("user", ConsoleServer.ADMIN), Map.entry("password", "not-it")));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("Wrong user name or password");
        String anonymousCookie = http.cookie();

        HttpResponse<String> ok = http.post(server.ui() + "/login", List.of(Map.entry("csrf", Http.csrf(wrong.body())),
                Map.entry("user", ConsoleServer.ADMIN), Map.entry("password", ConsoleServer.ADMIN_PASSWORD)));
        assertThat(ok.statusCode()).isEqualTo(303);
        String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/reg/ui")
                .doesNotContain("Secure");
        assertThat(http.cookie()).isNotEqualTo(anonymousCookie).hasSizeGreaterThanOrEqualTo(43);
        String home = http.get(server.ui() + "/").body();
        assertThat(home).contains("<span id=\"viewer\">admin</span>");

        HttpResponse<String> forged = http.post(server.ui() + "/logout", List.of(Map.entry("csrf", "forged")));
        assertThat(forged.statusCode()).isEqualTo(403);
        HttpResponse<String> out = http.post(server.ui() + "/logout", List.of(Map.entry("csrf", Http.csrf(home))));
        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(http.cookie()).isNull();
        assertThat(http.get(server.ui() + "/").body()).doesNotContain("id=\"viewer\"");
    }

    @Test
    void loginWithoutTheFormsTokenIsRefused() throws Exception {
        start(true);
        HttpResponse<String> r = http.post(server.ui() + "/login", List.of(Map.entry("user", ConsoleServer.ADMIN),
                Map.entry("password", ConsoleServer.ADMIN_PASSWORD)));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().allValues("Set-Cookie")).noneMatch(c -> c.contains("HttpOnly") && r.body()
                .contains("id=\"viewer\""));
    }

    @Test
    void deletingTagsNeedsTheTokenAConfirmationAndThePermission() throws Exception {
        start(true);
        server.content.image("team/app", "1.0", Map.of(), "amd64", 10);
        server.content.image("team/app", "2.0", Map.of(), "amd64", 10);
        server.content.image("team/app", "release-1", Map.of(), "amd64", 10);
        signIn(ConsoleServer.ADMIN, ConsoleServer.ADMIN_PASSWORD);
        String page = http.get(server.ui() + "/tags?repo=team/app").body();
        String csrf = Http.csrf(page);
        assertThat(page).contains("value=\"1.0\"").doesNotContain("name=\"tag\" value=\"release-1\"")
                .contains("immutable");

        HttpResponse<String> noToken = http.post(server.ui() + "/delete", List.of(Map.entry("repo", "team/app"),
                Map.entry("tag", "1.0"), Map.entry("confirmed", "yes")));
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(server.registry.repository("team/app").tags().get(new Tag("1.0"))).isPresent();

        HttpResponse<String> confirm = http.post(server.ui() + "/delete", List.of(Map.entry("csrf", csrf),
                Map.entry("repo", "team/app"), Map.entry("tag", "1.0"), Map.entry("tag", "2.0")));
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.body()).contains("Delete 2 tags of team/app?");
        assertThat(server.registry.repository("team/app").tags().get(new Tag("1.0"))).isPresent();

        HttpResponse<String> done = http.post(server.ui() + "/delete", List.of(Map.entry("csrf", csrf),
                Map.entry("repo", "team/app"), Map.entry("tag", "1.0"), Map.entry("tag", "2.0"),
                Map.entry("confirmed", "yes")));
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).hasValue("/reg/ui/tags?repo=team%2Fapp&deleted=2");
        assertThat(server.registry.repository("team/app").tags().list()).extracting(Tag::value)
                .containsExactly("release-1");
        assertThat(server.activity.recent()).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo(RegistryEvent.Action.DELETE);
            assertThat(e.target().tag()).isEqualTo("2.0");
            assertThat(e.actor().name()).isEqualTo(ConsoleServer.ADMIN);
        });

        HttpResponse<String> immutable = http.post(server.ui() + "/delete", List.of(Map.entry("csrf", csrf),
                Map.entry("repo", "team/app"), Map.entry("tag", "release-1"), Map.entry("confirmed", "yes")));
        assertThat(immutable.statusCode()).isEqualTo(403);
        assertThat(server.registry.repository("team/app").tags().get(new Tag("release-1"))).isPresent();
    }

    @Test
    void aViewerWithoutDeletePermissionCannotDelete() throws Exception {
        start(true);
        server.content.image("team/app", "1.0", Map.of(), "amd64", 10);
        signIn(ConsoleServer.VIEWER, ConsoleServer.VIEWER_PASSWORD);
        String csrf = Http.csrf(http.get(server.ui() + "/").body());
        HttpResponse<String> r = http.post(server.ui() + "/delete", List.of(Map.entry("csrf", csrf),
                Map.entry("repo", "team/app"), Map.entry("tag", "1.0"), Map.entry("confirmed", "yes")));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(server.registry.repository("team/app").tags().get(new Tag("1.0"))).isPresent();
    }

    @Test
    void markupFromLabelsIsEscaped() throws Exception {
        start(false);
        var pushed = server.content.image("app", "evil", Map.of("description",
                "<script>alert(1)</script>", "<b>key</b>", "\"quoted\" & 'single'"), "amd64", 10);
        String page = http.get(server.ui() + "/image?repo=app&ref=evil").body();
        assertThat(page).doesNotContain("<script>alert").doesNotContain("<b>key</b>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;").contains("&lt;b&gt;key&lt;/b&gt;");
        assertThat(page).contains(pushed.digest().toString());
    }

    @Test
    void anImageShowsItsConfigHistoryAndReferrers() throws Exception {
        start(false);
        var index = server.content.index("multi", "v1");
        var sig = server.content.referrer("multi", index, "application/vnd.oci.image.index.v1+json",
                Content.SIGNATURE_TYPE, "signature");
        server.content.referrer("multi", sig, "application/vnd.oci.image.manifest.v1+json", Content.SBOM_TYPE,
                "sbom of the signature");
        String page = http.get(server.ui() + "/image?repo=multi&ref=v1").body();
        assertThat(page).contains("linux/amd64").contains("linux/arm64/v8").contains(Content.SIGNATURE_TYPE)
                .contains(Content.SBOM_TYPE).contains(sig.digest().toString());
        String tags = http.get(server.ui() + "/tags?repo=multi").body();
        assertThat(tags).contains("linux/amd64, linux/arm64/v8").contains("2026-11-02 10:15:30 UTC");
        String child = http.get(server.ui() + "/image?repo=multi&ref=" + Http.enc(
                server.registry.repository("multi").manifests().resolve(dev.berth.registry.model.Reference.parse("v1"))
                        .map(Object::toString).orElseThrow())).body();
        assertThat(child).contains("platforms");
        HttpResponse<String> raw = http.get(server.ui() + "/raw?repo=multi&ref=" + Http.enc(sig.digest().toString()));
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).contains(Content.SIGNATURE_TYPE);
        assertThat(raw.headers().firstValue("Content-Disposition")).hasValueSatisfying(d -> assertThat(d)
                .startsWith("attachment"));
    }

    @Test
    void historyAndConfigOfAnImage() throws Exception {
        start(false);
        server.content.image("app", "1", Map.of("maintainer", "ops"), "arm64", 2048);
        String page = http.get(server.ui() + "/image?repo=app&ref=1").body();
        assertThat(page).contains("ADD file:abc in /").contains("ENV APP_MODE=production")
                .contains("RUN /bin/sh -c make install").contains("2.0 KiB").contains("8080/tcp")
                .contains("[\"/app/run\"]").contains("maintainer").contains("linux/arm64");
    }

    @Test
    void storageCountsEachBlobOncePerRepositoryAndOnceInTheTotal() throws Exception {
        start(false);
        var pushed = server.content.image("one", "1", Map.of(), "amd64", 5000);
        server.content.image("one", "1-again", Map.of(), "amd64", 1);
        server.registry.repository("one").tags().delete(new Tag("1-again"));
        server.content.copy("one", "1", "two");
        var stored = server.registry.repository("one").manifests().getOrThrow(
                dev.berth.registry.model.Reference.of(pushed.digest()));
        var manifest = (dev.berth.registry.model.ImageManifest) dev.berth.registry.model.Manifest.parse(
                stored.bytes(), stored.mediaType());
        long image = stored.size() + manifest.config().size()
                + manifest.layers().stream().mapToLong(dev.berth.registry.model.Descriptor::size).sum();
        String page = http.get(server.ui() + "/storage").body();
        assertThat(page).contains("id=\"total\" title=\"" + image + " bytes\"")
                .contains("id=\"saved\">" + Format.bytes(image) + "<");
        // Both repositories weigh the whole image (4 blobs); the untagged manifest in "one" is not reached.
        assertThat(page.split("<td class=\"num\">4</td><td class=\"num\" title=\"" + image + " bytes\">", -1))
                .hasSize(3);
    }

    @Test
    void theJsonApiAnswersWhatTheViewerMaySee() throws Exception {
        start(true);
        server.content.image("public/base", "1", Map.of(), "amd64", 1000);
        server.content.image("private/secret", "1", Map.of(), "amd64", 1000);
        ObjectMapper json = new ObjectMapper();
        HttpResponse<String> storage = http.get(server.ui() + "/api/storage");
        assertThat(storage.statusCode()).isEqualTo(200);
        assertThat(storage.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        JsonNode usage = json.readTree(storage.body());
        assertThat(usage.path("repositories")).hasSize(1);
        assertThat(usage.path("repositories").get(0).path("name").asText()).isEqualTo("public/base");
        assertThat(usage.path("repositories").get(0).path("blobs").asInt()).isEqualTo(4);
        assertThat(usage.path("totalBytes").asLong()).isEqualTo(usage.path("repositories").get(0).path("bytes")
                .asLong()).isGreaterThan(1000);
        assertThat(usage.path("savedBytes").asLong()).isZero();
        JsonNode events = json.readTree(http.get(server.ui() + "/api/activity").body()).path("events");
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.path("repository").asText())
                .isEqualTo("public/base"));

        signIn(ConsoleServer.VIEWER, ConsoleServer.VIEWER_PASSWORD);
        assertThat(json.readTree(http.get(server.ui() + "/api/storage").body()).path("repositories")).hasSize(2);
        assertThat(json.readTree(http.get(server.ui() + "/api/activity").body()).path("events"))
                .anySatisfy(e -> assertThat(e.path("repository").asText()).isEqualTo("private/secret"));
    }

    @Test
    void activityShowsPushesAndDeletesButNotTheConsolesOwnReads() throws Exception {
        start(false);
        server.content.image("app", "1", Map.of(), "amd64", 10);
        http.get(server.ui() + "/image?repo=app&ref=1");
        assertThat(server.activity.recent()).noneMatch(e -> e.action() == RegistryEvent.Action.PULL);
        String page = http.get(server.ui() + "/activity").body();
        assertThat(page).contains(">push<").contains(">app<").contains(">1<");
    }

    @Test
    void theStoragePageShowsUploadsInProgressAndTheLastGarbageCollection() throws Exception {
        start(false);
        server.content.image("app", "1", Map.of(), "amd64", 10);
        String before = http.get(server.ui() + "/storage").body();
        assertThat(before).contains("id=\"no-uploads\"").contains("No garbage collection has run");
        var upload = server.registry.repository("app").uploads().start();
        server.registry.repository("app").uploads().append(upload.id(), new ByteArrayInputStream(new byte[3000]));
        server.content.image("app", "1", Map.of(), "amd64", 20); // the first image is untagged now
        GcReport report = server.registry.collectGarbage(GcOptions.DEFAULTS.withDeleteUntagged(true));

        String page = http.get(server.ui() + "/storage").body();
        assertThat(page).contains("<code>" + upload.id() + "</code>").contains("title=\"3000 bytes\">2.9 KiB<")
                .contains(Format.time(upload.startedAt()));
        assertThat(page).contains("id=\"gc-deleted\">1 manifests, " + report.blobsDeleted().size() + " blobs")
                .contains("title=\"" + report.bytesFreed() + " bytes\"")
                .contains(Format.time(server.registry.lastGarbageCollection().orElseThrow().finishedAt()));

        JsonNode json = new ObjectMapper().readTree(http.get(server.ui() + "/api/storage").body());
        assertThat(json.path("uploads")).singleElement().satisfies(u -> {
            assertThat(u.path("repository").asText()).isEqualTo("app");
            assertThat(u.path("id").asText()).isEqualTo(upload.id());
            assertThat(u.path("bytes").asLong()).isEqualTo(3000);
            assertThat(u.path("startedAt").asText()).isEqualTo(upload.startedAt().toString());
        });
        JsonNode gc = json.path("lastGarbageCollection");
        assertThat(gc.path("manifestsDeleted").asInt()).isEqualTo(1);
        assertThat(gc.path("blobsDeleted").asInt()).isEqualTo(report.blobsDeleted().size());
        assertThat(gc.path("bytesFreed").asLong()).isEqualTo(report.bytesFreed());
        assertThat(gc.path("dryRun").asBoolean()).isFalse();
    }

    @Test
    void onlyAViewerOfEveryRepositorySeesTheGarbageCollectionAndUploadsAreFiltered() throws Exception {
        start(true);
        server.content.image("public/base", "1", Map.of(), "amd64", 10);
        server.content.image("private/secret", "1", Map.of(), "amd64", 10);
        server.registry.repository("private/secret").uploads().start();
        var visible = server.registry.repository("public/base").uploads().start();
        server.registry.collectGarbage(GcOptions.DEFAULTS);

        String anonymous = http.get(server.ui() + "/storage").body();
        assertThat(anonymous).doesNotContain("private/secret").contains(visible.id()).doesNotContain("id=\"gc\"")
                .contains("shown to those who may see every repository");
        JsonNode json = new ObjectMapper().readTree(http.get(server.ui() + "/api/storage").body());
        assertThat(json.path("uploads")).hasSize(1);
        assertThat(json.path("lastGarbageCollection").isNull()).isTrue();

        signIn(ConsoleServer.VIEWER, ConsoleServer.VIEWER_PASSWORD);
        assertThat(http.get(server.ui() + "/storage").body()).contains("id=\"gc\"").contains("private/secret");
    }

    @Test
    void sizesAreKeptBetweenViewsAndFollowTheRegistrysEvents() throws Exception {
        start(false);
        server.content.image("app", "1", Map.of(), "amd64", 1000);
        long first = totalBytes();
        assertThat(totalBytes()).isEqualTo(first);

        server.content.image("app", "2", Map.of(), "amd64", 50_000); // reported by an event: shows at once
        long second = totalBytes();
        assertThat(second).isGreaterThan(first + 50_000);
        server.registry.repository("app").tags().delete(new Tag("2"));
        assertThat(totalBytes()).isEqualTo(first);
        assertThat(http.get(server.ui() + "/storage").body()).contains("id=\"freshness\">Read from storage at")
                .contains("within 5 min");
    }

    private long totalBytes() throws Exception {
        return new ObjectMapper().readTree(http.get(server.ui() + "/api/storage").body()).path("totalBytes").asLong();
    }

    @Test
    void repositoriesShowTheirSizeAndLastPush() throws Exception {
        start(false);
        server.content.image("app", "1", Map.of(), "amd64", 4096);
        server.content.image("app", "2", Map.of(), "amd64", 4096);
        server.content.image("empty-ish", "1", Map.of(), "amd64", 1);
        JsonNode usage = new ObjectMapper().readTree(http.get(server.ui() + "/api/storage").body());
        long appBytes = -1;
        for (JsonNode r : usage.path("repositories")) {
            if (r.path("name").asText().equals("app")) {
                appBytes = r.path("bytes").asLong();
            }
        }
        String lastPush = Format.time(server.registry.lastTagged(RepositoryName.parse("app")).orElseThrow());

        String page = http.get(server.ui() + "/").body();
        assertThat(page).contains(">app</a></td><td class=\"num\">2</td><td class=\"num\" title=\"" + appBytes
                + " bytes\">" + Format.bytes(appBytes) + "</td><td>" + lastPush + "</td>");
        assertThat(appBytes).isGreaterThan(8192);
    }

    @Test
    void theConsolesReadsAreNoPullsButAClientsPullIs() throws Exception {
        start(false);
        var pushed = server.content.image("app", "1", Map.of(), "amd64", 10);
        server.events.clear();
        for (String path : List.of("/", "/tags?repo=app", "/image?repo=app&ref=1", "/raw?repo=app&ref="
                + Http.enc(pushed.digest().toString()), "/storage", "/api/storage")) {
            assertThat(http.get(server.ui() + path).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(server.events).as("events of page views").isEmpty();

        HttpResponse<String> pull = http.get(server.api() + "/v2/app/manifests/1");
        assertThat(pull.statusCode()).isEqualTo(200);
        assertThat(server.events).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo(RegistryEvent.Action.PULL);
            assertThat(e.target().tag()).isEqualTo("1");
        });
    }

    @Test
    void repeatedFailedSignInsAreLimitedWith429() throws Exception {
        start(true);
        String form = http.get(server.ui() + "/login").body();
        HttpResponse<String> r = null;
        for (int i = 1; i <= 5; i++) {
            r = http.post(server.ui() + "/login", List.of(Map.entry("csrf", Http.csrf(form)),
                    Map.entry("user", ConsoleServer.ADMIN), Map.entry("password", "guess-" + i)));
            form = r.body();
            assertThat(r.statusCode()).as("try " + i).isEqualTo(i < 5 ? 401 : 429);
        }
        assertThat(r.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(r.body()).contains("Too many failed sign-ins").contains("try again in 30 seconds");

        HttpResponse<String> right = http.post(server.ui() + "/login", List.of(Map.entry("csrf", Http.csrf(form)),
                Map.entry("user", ConsoleServer.ADMIN), Map.entry("password", ConsoleServer.ADMIN_PASSWORD)));
        assertThat(right.statusCode()).as("even the right password waits").isEqualTo(429);
        assertThat(right.headers().firstValue("Retry-After")).hasValueSatisfying(s -> assertThat(Long.parseLong(s))
                .isBetween(1L, 30L));
        HttpResponse<String> other = http.post(server.ui() + "/login", List.of(Map.entry("csrf",
                Http.csrf(right.body())), Map.entry("user", ConsoleServer.VIEWER),
                Map.entry("password", ConsoleServer.VIEWER_PASSWORD)));
        assertThat(other.statusCode()).as("the address is limited too").isEqualTo(429);
        assertThat(http.get(server.ui() + "/").body()).doesNotContain("id=\"viewer\"");
    }

    @Test
    void badInputIsAClientErrorNotAServerError() throws Exception {
        start(false);
        server.content.image("app", "1", Map.of(), "amd64", 10);
        assertThat(http.get(server.ui() + "/tags?repo=Bad..Name").statusCode()).isEqualTo(400);
        assertThat(http.get(server.ui() + "/tags").statusCode()).isEqualTo(400);
        assertThat(http.get(server.ui() + "/tags?repo=nothing").statusCode()).isEqualTo(404);
        assertThat(http.get(server.ui() + "/image?repo=app&ref=sha256:zz").statusCode()).isEqualTo(400);
        assertThat(http.get(server.ui() + "/image?repo=app&ref=" + "a".repeat(200)).statusCode()).isEqualTo(400);
        assertThat(http.get(server.ui() + "/image?repo=app&ref=2").statusCode()).isEqualTo(404);
        assertThat(http.post(server.ui() + "/tags?repo=app", List.of()).statusCode()).isEqualTo(405);
        assertThat(http.get(server.ui() + "/delete").statusCode()).isEqualTo(405);
    }
}
