package dev.berth.ui;

import dev.berth.registry.model.MediaTypes;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.Tag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * How long the console's pages take with 1,000 repositories of 10 tags each (10,000 tags) in an in-memory registry:
 * each page asked 20 times after 20 to warm up, median and worst printed, and the time of the first ask (before the
 * console has kept anything: the storage and repositories pages read the manifests of what they show then). A
 * benchmark, not a test; benchmarks/README.md says how to run it. {@code -Dbench.repositories=10000
 * -Dbench.tags=1} changes the content, {@code -Dbench.paths="/ /storage"} the pages asked (in that order: the first
 * page asked after the content is made pays for the JIT and the collector).
 */
public final class ConsolePagesBench {
    private ConsolePagesBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("console-bench");
        ConsoleServer server = ConsoleServer.start(false, dir, 50);
        try {
            var first = server.content.image("r0000", "t0", Map.of(), "amd64", 100);
            byte[] manifest = server.registry.repository("r0000").manifests().getOrThrow(Reference.of(first.digest()))
                    .bytes();
            int repositories = Integer.getInteger("bench.repositories", 1000);
            int tags = Integer.getInteger("bench.tags", 10);
            for (int r = 0; r < repositories; r++) {
                String name = String.format("r%04d", r);
                if (r > 0) {
                    server.content.copy("r0000", "t0", name);
                }
                for (int t = 1; t < tags; t++) {
                    server.registry.repository(name).manifests().put(Reference.of(new Tag("1." + t)),
                            MediaTypes.OCI_MANIFEST, manifest);
                }
            }
            Http http = new Http();
            String paths = System.getProperty("bench.paths",
                    "/ /?page=10 /?q=r05 /tags?repo=r0500 /image?repo=r0500&ref=t0 /activity /storage");
            for (String path : paths.split(" ")) {
                long[] ms = new long[20];
                long firstMs = -1;
                for (int i = -20; i < ms.length; i++) {
                    long start = System.nanoTime();
                    int status = http.get(server.ui() + path).statusCode();
                    if (status != 200) {
                        throw new IllegalStateException(path + " answered " + status);
                    }
                    long took = (System.nanoTime() - start) / 1_000_000;
                    if (i >= 0) {
                        ms[i] = took;
                    } else if (firstMs < 0) {
                        firstMs = took;
                    }
                }
                Arrays.sort(ms);
                System.out.printf("%-28s median %4d ms, worst %4d ms, first %4d ms%n", path, ms[ms.length / 2],
                        ms[ms.length - 1], firstMs);
            }
        } finally {
            server.close();
        }
    }
}
