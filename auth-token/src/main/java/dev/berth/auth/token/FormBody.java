package dev.berth.auth.token;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The token endpoint's form body ({@code application/x-www-form-urlencoded}), read without holding a thread while the
 * client is slow, bounded in size ({@value #MAX_BYTES} bytes: a user name, a password and some scopes) and in time.
 * The caller is not known before the form is read (its credentials are in it), so these bounds are what keeps
 * anonymous slow POSTs from tying the server up. The query string's parameters are merged in, as
 * {@code getParameter} would.
 */
final class FormBody implements ReadListener {
    static final int MAX_BYTES = 16 << 10;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "berth-token-form-timeout");
        t.setDaemon(true);
        return t;
    });

    /** What happened to the form. */
    enum Outcome { READ, TOO_LARGE, TIMED_OUT, FAILED }

    /** Called once, with the parameters (empty unless READ), on a container thread or the timer's. */
    @FunctionalInterface
    interface Handler {
        void handle(Outcome outcome, Map<String, List<String>> parameters) throws IOException;
    }

    private final HttpServletRequest request;
    private final AsyncContext async;
    private final ServletInputStream in;
    private final Handler handler;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final byte[] buffer = new byte[4096];
    private ScheduledFuture<?> timeout;
    private boolean done;

    private FormBody(HttpServletRequest request, AsyncContext async, ServletInputStream in, Handler handler) {
        this.request = request;
        this.async = async;
        this.in = in;
        this.handler = handler;
    }

    /** Reads the form (the request must support async), then calls {@code handler} and completes the request. */
    static void read(HttpServletRequest request, Duration limit, Handler handler) throws IOException {
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        FormBody f = new FormBody(request, async, request.getInputStream(), handler);
        synchronized (f) {
            if (!limit.isZero()) {
                f.timeout = TIMER.schedule(() -> f.end(Outcome.TIMED_OUT), limit.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        f.in.setReadListener(f);
    }

    @Override
    public synchronized void onDataAvailable() throws IOException {
        while (!done && in.isReady()) {
            int n = in.read(buffer);
            if (n < 0) {
                return;
            }
            if (body.size() + n > MAX_BYTES) {
                end(Outcome.TOO_LARGE);
                return;
            }
            body.write(buffer, 0, n);
        }
    }

    @Override
    public void onAllDataRead() {
        end(Outcome.READ);
    }

    @Override
    public void onError(Throwable t) {
        end(Outcome.FAILED);
    }

    private synchronized void end(Outcome outcome) {
        if (done) {
            return;
        }
        done = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        try {
            Map<String, List<String>> parameters = new HashMap<>();
            if (outcome == Outcome.READ) {
                parse(request.getQueryString(), parameters);
                parse(body.toString(StandardCharsets.US_ASCII), parameters);
            }
            handler.handle(outcome, parameters);
        } catch (IOException | RuntimeException e) {
            // the client is gone or the answer could not be written; nothing more to do for it
        } finally {
            async.complete();
        }
    }

    /** Parses {@code a=b&c=d} (percent-encoded, {@code +} for space) into {@code into}; malformed pairs are skipped. */
    static void parse(String encoded, Map<String, List<String>> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                into.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException malformed) {
                // a broken escape: the pair is ignored, as servlet containers do
            }
        }
    }
}
