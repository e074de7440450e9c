package dev.berth.benchmarks.load;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A load generator for a registry's HTTP API (JDK only, NIO, so one thread holds thousands of connections).
 *
 * <pre>
 * java -cp benchmarks/target/classes dev.berth.benchmarks.load.LoadGenerator slow --url http://127.0.0.1:5000 \
 *     --repo bench --blob sha256:... --tag bench [--readers 1000] [--uploaders 300] [--rate 4096] [--seconds 20]
 * java -cp benchmarks/target/classes dev.berth.benchmarks.load.LoadGenerator herd --url http://127.0.0.1:5000 \
 *     --repo bench --blob sha256:... [--parallel 500] [--size BYTES]
 * </pre>
 *
 * <p>Prints what it sees as it goes, and a last line {@code RESULT key=value ...} for scripts. Everything is bounded
 * in time: a watchdog ends the process (exit code 3) if a scenario overruns its budget.
 */
public final class LoadGenerator {
    static final String USAGE = """
            usage: LoadGenerator slow|herd --url http://HOST:PORT --repo NAME --blob sha256:... [options]
            common:
              --sources K           spread connections over 127.0.0.2..127.0.0.K (0: let the kernel pick; default 0)
            slow (slow readers and uploaders next to a well-behaved client):
              --readers N           slow readers, each GET the blob and read it at --rate (default 1000)
              --uploaders M         slow uploaders, each POST for an upload URL, then PATCH at --rate (default 300)
              --rate BYTES          bytes per second of each slow connection (default 4096)
              --seconds D           how long the slow connections are held once open (default 20)
              --upload-mib N        Content-Length of each PATCH, MiB (default 4)
              --rcvbuf BYTES        receive buffer of a slow reader's socket (default 8192; Linux doubles it)
              --connect-rate N      new slow connections per second during the ramp (default 2000)
              --ramp-seconds S      longest wait for the slow connections to connect (default 10)
              --tag TAG             the well-behaved client GETs /v2/REPO/manifests/TAG (default latest)
              --interval-ms MS      its request interval; 0: back to back (default 20)
              --timeout-ms MS       a request not answered in time fails (default 2000)
              --baseline-seconds S  the well-behaved client alone first (default 3)
              --normal-source ADDR  its local address (default: the kernel's choice, 127.0.0.1 for a local server)
              --drain-mib N         at the end, each reader reads up to N MiB at full speed to find out whether the
                                    server has closed behind the data it wrote before (default 8)
              --drain-seconds S     for at most S in all (default 3)
            herd (P parallel full-speed pulls of one blob):
              --parallel P          (default 500)
              --size BYTES          expected blob size (default: what the single-client pull returns)
              --threads T           selector threads (default 1)
              --warmup N            unmeasured single pulls first (default 2)
              --timeout-seconds S   give up on unfinished pulls after S (default 300)
            """;

    private static final Set<String> FLAGS = Set.of("url", "repo", "blob", "sources", "readers", "uploaders", "rate",
            "seconds", "upload-mib", "rcvbuf", "connect-rate", "ramp-seconds", "tag", "interval-ms", "timeout-ms",
            "baseline-seconds", "normal-source", "drain-mib", "drain-seconds", "parallel", "size", "threads", "warmup", "timeout-seconds");

    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || !List.of("slow", "herd").contains(args[0])) {
            System.err.print(USAGE);
            System.exit(args.length > 0 && args[0].equals("--help") ? 0 : 2);
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || !FLAGS.contains(a.substring(2)) || i + 1 >= args.length) {
                System.err.println("bad argument: " + a);
                System.err.print(USAGE);
                System.exit(2);
            }
            o.put(a.substring(2), args[++i]);
        }
        if (!o.containsKey("url") || !o.containsKey("blob")) {
            System.err.println("--url and --blob are needed");
            System.exit(2);
        }
        Target target = new Target(o.get("url"), intOf(o, "sources", 0));
        String repo = o.getOrDefault("repo", "bench");
        String blob = o.get("blob");
        Map<String, String> result = new LinkedHashMap<>();
        result.put("scenario", args[0]);
        if (args[0].equals("slow")) {
            double seconds = doubleOf(o, "seconds", 20);
            double ramp = doubleOf(o, "ramp-seconds", 10);
            double baseline = doubleOf(o, "baseline-seconds", 3);
            int timeoutMs = intOf(o, "timeout-ms", 2000);
            watchdog(baseline + ramp + seconds + timeoutMs / 1000.0 + doubleOf(o, "drain-seconds", 3) + 30);
            String source = o.get("normal-source");
            NormalClient normal = new NormalClient(target, source == null ? null : InetAddress.getByName(source),
                    "/v2/" + repo + "/manifests/" + o.getOrDefault("tag", "latest"),
                    "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json,"
                            + " application/vnd.docker.distribution.manifest.v2+json,"
                            + " application/vnd.docker.distribution.manifest.list.v2+json",
                    timeoutMs, intOf(o, "interval-ms", 20));
            SlowScenario s = new SlowScenario(target, repo, blob, intOf(o, "readers", 1000),
                    intOf(o, "uploaders", 300), longOf(o, "rate", 4096), seconds, longOf(o, "upload-mib", 4) << 20,
                    intOf(o, "rcvbuf", 8192), intOf(o, "connect-rate", 2000), ramp, normal, baseline,
                    longOf(o, "drain-mib", 8) << 20, doubleOf(o, "drain-seconds", 3));
            result.putAll(s.run());
        } else {
            int parallel = intOf(o, "parallel", 500);
            double timeout = doubleOf(o, "timeout-seconds", 300);
            int warmup = intOf(o, "warmup", 2);
            watchdog(timeout * (warmup + 4) + 30);
            HerdScenario h = new HerdScenario(target, repo, blob, intOf(o, "threads", 1));
            long size = longOf(o, "size", -1);
            for (int i = 0; i < warmup; i++) {
                h.pull(1, size, timeout);
            }
            // The single client: the median of three pulls (one 64 MiB pull is over in tens of milliseconds).
            List<HerdScenario.Result> singles = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                singles.add(h.pull(1, size, timeout));
            }
            singles.sort(Comparator.comparingDouble(HerdScenario.Result::mibPerSecond));
            HerdScenario.Result single = singles.get(1);
            System.out.println("herd: single client first (median of 3: " + singles.stream()
                    .map(r -> String.format(Locale.ROOT, "%.0f", r.mibPerSecond())).toList() + " MiB/s): "
                    + HerdScenario.describe(single));
            if (singles.stream().anyMatch(r -> r.completed != 1)) {
                System.out.println("the single pull failed; no herd");
                result.put("single_mibps", "-");
                result.put("completed", "0");
                print(result);
                System.exit(1);
            }
            if (size < 0) {
                size = single.bytes;
            }
            System.out.printf(Locale.ROOT, "herd: %d parallel pulls of %d MiB from %s, %d thread(s)%n", parallel,
                    size >> 20, target.describeSources(), Math.max(1, intOf(o, "threads", 1)));
            HerdScenario.Result herd = h.pull(parallel, size, timeout);
            if (herd.completed == 0) {
                herd.wallSeconds = Math.max(herd.wallSeconds, 1e-9);
            }
            System.out.println("herd: " + HerdScenario.describe(herd));
            result.put("single_mibps", String.format(Locale.ROOT, "%.0f", single.mibPerSecond()));
            result.put("parallel", Integer.toString(parallel));
            result.put("completed", Integer.toString(herd.completed));
            result.put("aggregate_mibps", String.format(Locale.ROOT, "%.0f", herd.mibPerSecond()));
            result.put("wall_s", String.format(Locale.ROOT, "%.2f", herd.wallSeconds));
            result.put("first_byte_max_ms", Stats.ms(Stats.percentileMs(herd.firstByte, 100)));
            result.put("errors", Integer.toString(herd.parallel - herd.completed));
        }
        print(result);
        System.exit(0);
    }

    private static void print(Map<String, String> result) {
        StringBuilder b = new StringBuilder("RESULT");
        result.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        System.out.println(b);
        System.out.flush();
    }

    /** Ends the process if the scenario runs longer than {@code seconds}. */
    private static void watchdog(double seconds) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep((long) (seconds * 1000));
                System.out.println("RESULT watchdog=expired after " + Stats.s(seconds) + " s");
                System.out.flush();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException ignored) {
                // not needed
            }
        }, "watchdog");
        t.setDaemon(true);
        t.start();
    }

    private static int intOf(Map<String, String> o, String k, int d) {
        return o.containsKey(k) ? Integer.parseInt(o.get(k)) : d;
    }

    private static long longOf(Map<String, String> o, String k, long d) {
        return o.containsKey(k) ? Long.parseLong(o.get(k)) : d;
    }

    private static double doubleOf(Map<String, String> o, String k, double d) {
        return o.containsKey(k) ? Double.parseDouble(o.get(k)) : d;
    }
}
