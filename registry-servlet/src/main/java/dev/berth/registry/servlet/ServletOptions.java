package dev.berth.registry.servlet;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link RegistryServlet} writes URLs and which extra headers it sends (distribution's {@code http.host},
 * {@code http.relativeurls}, {@code http.headers}, {@code catalog.maxentries}). The URLs of the registry's events
 * are written the same way; the events themselves are the registry's ({@code Registry.Builder.events}).
 *
 * @param externalUrl      the URL clients reach the server at (e.g. {@code https://registry.example.com}; the
 *                         context path is added to it); when
 *                         empty, Location headers follow the request and its {@code X-Forwarded-*} headers
 * @param relativeUrls     Location headers without scheme and host
 * @param headers          sent with every response
 * @param catalogMaxEntries the most repositories one catalog page holds
 * @param redirects        blob GETs answer 307 to the storage's own URL (an S3 presigned GET) when the driver offers
 *                         one, as distribution does unless {@code storage.redirect.disable} is set; HEAD is always
 *                         answered by the registry
 * @param limits           what a slow or hostile client is allowed ({@link Limits#DEFAULTS} unless set)
 */
public record ServletOptions(Optional<String> externalUrl, boolean relativeUrls, Map<String, List<String>> headers,
        int catalogMaxEntries, boolean redirects, Limits limits) {

    /**
     * How slow a client may be. Blob bodies (uploads and downloads) are transferred with the Servlet API's
     * asynchronous I/O, so a slow client holds no thread; these limits free its connection and buffers too. A
     * transfer that moves fewer than {@code minRequestRate} (uploads) or {@code minResponseRate} (downloads) bytes
     * per second, on average over any {@code rateWindow}, is cut off: an upload keeps what arrived and can be
     * resumed (the check runs once a second, so a shorter window acts as one second). A small body (a manifest) must
     * arrive whole within {@code bodyTimeout}. A rate of 0 turns its check
     * off. Each limit that fires is told to {@code listener} by name: {@code min_request_rate},
     * {@code min_response_rate}, {@code body_timeout}.
     */
    public record Limits(long minRequestRate, long minResponseRate, Duration rateWindow, Duration bodyTimeout,
            LimitListener listener) {
        /** 1 KiB/s over 30 s either way, 30 s for a manifest: only the pathologically slow are cut. */
        public static final Limits DEFAULTS = new Limits(1024, 1024, Duration.ofSeconds(30), Duration.ofSeconds(30),
                LimitListener.NONE);
        /** No limit at all (what a servlet container alone does). */
        public static final Limits NONE = new Limits(0, 0, Duration.ofSeconds(30), Duration.ZERO, LimitListener.NONE);

        public Limits {
            Objects.requireNonNull(rateWindow, "rateWindow");
            Objects.requireNonNull(bodyTimeout, "bodyTimeout");
            Objects.requireNonNull(listener, "listener");
            if (minRequestRate < 0 || minResponseRate < 0) {
                throw new IllegalArgumentException("a minimum rate cannot be negative");
            }
            if (rateWindow.isZero() || rateWindow.isNegative()) {
                throw new IllegalArgumentException("the rate window must be longer than zero");
            }
            if (bodyTimeout.isNegative()) {
                throw new IllegalArgumentException("the body timeout cannot be negative");
            }
        }

        /** These limits, telling {@code l} when one fires (for metrics). */
        public Limits withListener(LimitListener l) {
            return new Limits(minRequestRate, minResponseRate, rateWindow, bodyTimeout, l);
        }
    }

    /** Told when a limit cuts a client off. Called from the servlet's threads: keep it quick. */
    @FunctionalInterface
    public interface LimitListener {
        LimitListener NONE = limit -> { };

        void limitHit(String limit);
    }

    public static final ServletOptions DEFAULTS = new ServletOptions(Optional.empty(), false, Map.of(), 1000);

    /** How long a redirect URL stays valid (distribution's s3 driver gives 20 minutes). */
    public static final Duration REDIRECT_VALIDITY = Duration.ofMinutes(20);

    /** Options with redirects on, the default. */
    public ServletOptions(Optional<String> externalUrl, boolean relativeUrls, Map<String, List<String>> headers,
            int catalogMaxEntries) {
        this(externalUrl, relativeUrls, headers, catalogMaxEntries, true);
    }

    /** Options with the default limits. */
    public ServletOptions(Optional<String> externalUrl, boolean relativeUrls, Map<String, List<String>> headers,
            int catalogMaxEntries, boolean redirects) {
        this(externalUrl, relativeUrls, headers, catalogMaxEntries, redirects, Limits.DEFAULTS);
    }

    /** These options with other limits. */
    public ServletOptions withLimits(Limits l) {
        return new ServletOptions(externalUrl, relativeUrls, headers, catalogMaxEntries, redirects, l);
    }

    /** These options with blob redirects on or off. */
    public ServletOptions withRedirects(boolean on) {
        return new ServletOptions(externalUrl, relativeUrls, headers, catalogMaxEntries, on, limits);
    }

    public ServletOptions {
        Objects.requireNonNull(externalUrl, "externalUrl");
        Objects.requireNonNull(limits, "limits");
        externalUrl = externalUrl.map(u -> u.replaceAll("/+$", ""));
        headers = Map.copyOf(headers);
        if (catalogMaxEntries < 1) {
            throw new IllegalArgumentException("catalogMaxEntries must be at least 1");
        }
    }
}
