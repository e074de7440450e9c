package dev.berth.registry.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void anExceptionWithoutAMessageIsNamedByItsClassNeverNull() {
        assertThat(Failures.describe(new ConnectException())).isEqualTo("ConnectException");
        assertThat(Failures.describe(new IOException())).isEqualTo("IOException");
        assertThat(Failures.describe(new NullPointerException())).isEqualTo("NullPointerException");
        assertThat(Failures.describe(null)).isEqualTo("unknown failure");
    }

    @Test
    void aMessagelessWrapperIsDescribedByItsCause() {
        ConnectException refused = new ConnectException("Connection refused");
        assertThat(Failures.describe(new ConnectException().initCause(refused)))
                .isEqualTo("ConnectException: Connection refused");
        assertThat(Failures.describe(new IOException((String) null, new ClosedChannelException())))
                .isEqualTo("IOException (ClosedChannelException)");
    }

    @Test
    void specificTypesAreNamedGenericOnesAndBerthsOwnAreNot() {
        assertThat(Failures.describe(new UnknownHostException("registry.example")))
                .isEqualTo("UnknownHostException: registry.example");
        assertThat(Failures.describe(new IOException("upstream answered 500"))).isEqualTo("upstream answered 500");
        assertThat(Failures.describe(new IllegalArgumentException("bad"))).isEqualTo("bad");
    }

    @Test
    void causesNotAlreadyQuotedFollowOnce() {
        ConnectException refused = new ConnectException("Connection refused");
        assertThat(Failures.describe(new IOException("fetching the manifest failed", refused)))
                .isEqualTo("fetching the manifest failed (ConnectException: Connection refused)");
        // new IOException(cause) quotes its cause already
        assertThat(Failures.describe(new IOException(refused)))
                .isEqualTo("java.net.ConnectException: Connection refused");
        assertThat(Failures.describe(new ExecutionException(new IOException("gone"))))
                .isEqualTo("java.io.IOException: gone");
    }

    @Test
    void urlsInMessagesLoseTheirPasswords() {
        assertThat(Failures.describe(new IOException("GET http://me:hunter2@host/v2/ failed",
                new IllegalStateException("at https://x:y@z"))))
                .isEqualTo("GET http://me:***@host/v2/ failed (at https://x:***@z)")
                .doesNotContain("hunter2");
    }

    @Test
    void aCycleOfCausesEnds() {
        IOException a = new IOException("a");
        IOException b = new IOException("b", a);
        a.initCause(b);
        assertThat(Failures.describe(a)).isEqualTo("a (b)");
    }
}
