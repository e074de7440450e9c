package dev.berth.registry.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            http://user:secret@host                        | http://user:***@host
            https://user:s%40cret@registry.example:5443/v2/ | https://user:***@registry.example:5443/v2/
            https://ghp_TOKEN@github.example/hook           | https://***@github.example/hook
            http://user:@host                              | http://user:***@host
            https://hooks.example/x?token=abc&mode=1#frag   | https://hooks.example/x?token=***&mode=***
            https://hooks.example/x?abc                    | https://hooks.example/x?***
            http://[::1]:5000/v2/                          | http://[::1]:5000/v2/
            http://u:p@[::1]:5000                          | http://u:***@[::1]:5000
            https://registry-1.docker.io                   | https://registry-1.docker.io
            """)
    void masksPasswordsAndQueryValuesKeepingTheRest(String url, String shown) {
        assertThat(Urls.redact(URI.create(url))).isEqualTo(shown);
        assertThat(Urls.redact(url)).isEqualTo(shown);
    }

    @Test
    void textThatIsNoUrlStillHasItsUserInfoMasked() {
        // An '@' in a password is not a valid URI: Java gives no host, and the text is masked to the last '@'.
        assertThat(Urls.redact("http://user:p@ss@host/x")).isEqualTo("http://user:***@host/x");
        assertThat(Urls.redact("not a url with http://a:b@c in it")).isEqualTo("not a url with http://a:***@c in it");
        assertThat(Urls.redact((String) null)).isEqualTo("null");
    }

    @Test
    void redactTextMasksEveryUrlInAMessageAndLeavesMailAddressesAlone() {
        assertThat(Urls.redactText("GET http://u:pw@a/x failed, then https://v:pw2@b:1 too; ask ops@example.com"))
                .isEqualTo("GET http://u:***@a/x failed, then https://v:***@b:1 too; ask ops@example.com");
        assertThat(Urls.redactText(null)).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ::1             | 5443 | [::1]:5443
            [::1]           | 5443 | [::1]:5443
            fd00::2         | 80   | [fd00::2]:80
            127.0.0.1       | 5000 | 127.0.0.1:5000
            0.0.0.0         | 5000 | 0.0.0.0:5000
            registry.local  | 443  | registry.local:443
            """)
    void hostPortBracketsIpv6Literals(String host, int port, String expected) {
        assertThat(Urls.hostPort(host, port)).isEqualTo(expected);
        assertThat(URI.create("https://" + expected + "/v2/").getPort()).isEqualTo(port);
    }
}
