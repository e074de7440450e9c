package dev.berth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.spring.boot.autoconfigure.app.TestApplication;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * What the servlet container answers under /v2/ (a filter's sendError, an exception out of a filter) carries the
 * registry's JSON error body and headers; the application's other paths keep Boot's error handling.
 */
@SpringBootTest(classes = {TestApplication.class, ErrorPagesStarterTest.Gatekeeper.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"berth.storage.inmemory=", "berth.http.headers.X-Registry=berth"})
class ErrorPagesStarterTest {
    @LocalServerPort
    int port;

    /** A filter of the application's, in front of everything: it refuses /…/forbidden/ and breaks on /…/broken/. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Gatekeeper {
        @Bean
        FilterRegistrationBean<HttpFilter> gatekeeper() {
            FilterRegistrationBean<HttpFilter> registration = new FilterRegistrationBean<>(new HttpFilter() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                        throws IOException, ServletException {
                    String uri = request.getRequestURI();
                    if (uri.contains("/forbidden/")) {
                        response.sendError(403, "refused by the gatekeeper");
                    } else if (uri.contains("/broken/")) {
                        throw new IllegalStateException("internal detail that must not leak");
                    } else {
                        chain.doFilter(request, response);
                    }
                }
            });
            registration.addUrlPatterns("/*");
            return registration;
        }
    }

    @Test
    void aFiltersRefusalUnderV2GetsTheRegistrysErrorBody() throws Exception {
        HttpResponse<byte[]> response = Client.at(port).get("/v2/forbidden/app/manifests/latest");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).hasValue("registry/2.0");
        assertThat(response.headers().firstValue("X-Registry")).as("berth.http.headers").hasValue("berth");
        assertThat(new String(response.body(), StandardCharsets.UTF_8))
                .startsWith("{\"errors\":[{\"code\":\"DENIED\"").contains("refused by the gatekeeper");
    }

    @Test
    void anExceptionOutOfAFilterUnderV2IsAnUnknownErrorWithoutItsMessage() throws Exception {
        HttpResponse<byte[]> response = Client.at(port).get("/v2/broken/app/tags/list");

        assertThat(response.statusCode()).isEqualTo(500);
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(body).startsWith("{\"errors\":[{\"code\":\"UNKNOWN\"").doesNotContain("internal detail")
                .doesNotContain("Exception");
    }

    @Test
    void theApplicationsOwnPathsKeepBootsErrorHandling() throws Exception {
        HttpResponse<byte[]> response = Client.at(port).get("/forbidden/page");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("Docker-Distribution-API-Version")).isEmpty();
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("\"errors\"")
                .contains("\"status\":403");
    }

    @Test
    void theRegistrysOwnErrorsAreUnchanged() throws Exception {
        HttpResponse<byte[]> response = Client.at(port).get("/v2/some/app/manifests/latest");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(new String(response.body(), StandardCharsets.UTF_8))
                .startsWith("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"");
    }
}
