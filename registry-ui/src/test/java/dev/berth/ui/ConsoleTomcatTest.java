package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.Registry;
import dev.berth.registry.model.Tag;
import dev.berth.registry.servlet.RegistryServlet;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console in embedded Tomcat 11 (the version registry-servlet is tested on), mounted at {@code /ui/*} next to
 * the registry servlet at {@code /*} under the context path {@code /mirror}, as an embedder deploys both in one web
 * application: every page renders, and every link, form, script and cookie carries the context path.
 */
class ConsoleTomcatTest {
    private static final Pattern URLS = Pattern.compile("(?:href|src|action)=\"([^\"]*)\"");

    @TempDir
    Path tomcatBase;
    Registry registry;
    Tomcat tomcat;
    String base;
    final Http http = new Http();
    final Activity activity = new Activity(50);

    @BeforeEach
    void start() throws Exception {
        registry = Registry.builder().events(activity).build();
        tomcat = new Tomcat();
        tomcat.setBaseDir(tomcatBase.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("/mirror", tomcatBase.toString());
        Tomcat.addServlet(context, "registry", new RegistryServlet(registry)).setAsyncSupported(true);
        context.addServletMappingDecoded("/*", "registry");
        Tomcat.addServlet(context, "console", ConsoleServlet.builder(registry).activity(activity).pageSize(2).build());
        context.addServletMappingDecoded("/ui/*", "console");
        tomcat.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + "/mirror";
    }

    @AfterEach
    void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
        registry.close();
    }

    @Test
    void everyPageRendersWithLinksUnderTheContextPath() throws Exception {
        Content content = new Content(registry);
        content.image("team/app", "1.0", Map.of(), "amd64", 100);
        content.image("team/app", "2.0", Map.of(), "amd64", 100);
        content.image("team/web", "1.0", Map.of(), "amd64", 100);
        content.image("tools", "1.0", Map.of(), "amd64", 100);

        HttpResponse<String> bare = http.get(base + "/ui");
        assertThat(bare.statusCode()).isIn(301, 302);
        assertThat(bare.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
                .endsWith("/mirror/ui/"));
        for (String page : List.of("/", "/?page=2", "/tags?repo=team/app", "/image?repo=team/app&ref=1.0",
                "/storage", "/activity")) {
            HttpResponse<String> r = http.get(base + "/ui" + page);
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(page).hasValue(ConsoleServlet.CSP);
            Matcher m = URLS.matcher(r.body());
            int urls = 0;
            while (m.find()) {
                if (m.group(1).startsWith("#")) {
                    continue; // the skip link to the page's own content
                }
                urls++;
                assertThat(m.group(1)).as(page + " links under the context path").startsWith("/mirror/ui/");
            }
            assertThat(urls).as(page).isGreaterThan(3);
            assertThat(http.get(base + "/ui/static/app.css").statusCode()).isEqualTo(200);
        }
        assertThat(http.get(base + "/ui/").body()).contains("href=\"/mirror/ui/?page=2\"")
                .contains("href=\"/mirror/ui/tags?repo=team%2Fapp\"");
        assertThat(http.get(base + "/v2/team/app/tags/list").statusCode()).as("the registry still answers")
                .isEqualTo(200);
    }

    @Test
    void formsPostUnderTheContextPathWithTheSessionCookiesPath() throws Exception {
        new Content(registry).image("app", "1", Map.of(), "amd64", 10);
        new Content(registry).image("app", "2", Map.of(), "amd64", 10);
        HttpResponse<String> tags = http.get(base + "/ui/tags?repo=app");
        assertThat(tags.body()).contains("action=\"/mirror/ui/delete\"");
        assertThat(tags.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith(ConsoleServlet.COOKIE + "=").contains("Path=/mirror/ui").contains("HttpOnly"));

        String csrf = Http.csrf(tags.body());
        HttpResponse<String> done = http.post(base + "/ui/delete", List.of(Map.entry("csrf", csrf),
                Map.entry("repo", "app"), Map.entry("tag", "1"), Map.entry("confirmed", "yes")));
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
                .endsWith("/mirror/ui/tags?repo=app&deleted=1"));
        assertThat(registry.repository("app").tags().list()).containsExactly(new Tag("2"));
    }
}
