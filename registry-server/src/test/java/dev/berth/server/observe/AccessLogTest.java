package dev.berth.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.servlet.RegistryRoute;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    private static ObservedRequest request(String path, String query, String user) {
        return new ObservedRequest("10.0.0.7", "GET", path, query, RegistryRoute.classify(path), 200, 12, 345,
                TimeUnit.MILLISECONDS.toNanos(17), user);
    }

    @Test
    void aLineHasAddressUserRequestStatusBytesAndMilliseconds() {
        assertThat(AccessLog.format(request("/v2/a/tags/list", "n=10&last=b", "alice")))
                .isEqualTo("10.0.0.7 alice \"GET /v2/a/tags/list?n=10&last=b\" 200 12 345 17ms");
        assertThat(AccessLog.format(request("/v2/", null, null))).isEqualTo("10.0.0.7 - \"GET /v2/\" 200 12 345 17ms");
    }

    @Test
    void theRegistrysOwnParametersAreShown() {
        String q = "digest=sha256:abc&mount=sha256:def&from=other/repo&n=1&last=x&artifactType=a%2Fb";
        assertThat(AccessLog.maskQuery(q)).isEqualTo(q);
    }

    @Test
    void everyOtherValueIsMasked() {
        assertThat(AccessLog.maskQuery("_state=eyJhbGciOi&digest=sha256:abc"))
                .isEqualTo("_state=***&digest=sha256:abc");
        assertThat(AccessLog.maskQuery("password=p&access_token=t&X-Amz-Signature=s&whatever=w"))
                .isEqualTo("password=***&access_token=***&X-Amz-Signature=***&whatever=***");
        // Case matters to the registry, so "Digest" is not its parameter and is masked too.
        assertThat(AccessLog.maskQuery("Digest=x")).isEqualTo("Digest=***");
    }

    @Test
    void aBareWordIsMaskedUnlessItIsAKnownName() {
        assertThat(AccessLog.maskQuery("ghp_secret123")).isEqualTo("***");
        assertThat(AccessLog.maskQuery("digest&&n=3")).isEqualTo("digest&&n=3");
        assertThat(AccessLog.maskQuery("token=")).isEqualTo("token=***");
    }

    @Test
    void aClientCannotForgeALine() {
        String line = AccessLog.format(request("/v2/a\"\n10.0.0.1 admin \"GET /", null, "bob\r\nroot"));
        assertThat(line).doesNotContain("\n", "\r").contains("\\x0a", "\\x0d", "\\x22");
        assertThat(line).startsWith("10.0.0.7 bob\\x0d\\x0aroot \"GET /v2/a\\x22\\x0a10.0.0.1 admin \\x22GET /\"");
    }
}
