package dev.berth.registry.storage.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The S3 writers' buffer files as the system's temporary folder shows them, and as this process holds them open. */
final class BufferFiles {
    private BufferFiles() {
    }

    /** The names of {@code berth-s3-*} files in {@code java.io.tmpdir}. */
    static Set<String> named() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(S3Writer.BUFFER_PREFIX))
                    .forEach(names::add);
        }
        return names;
    }

    /**
     * How many files of that name this process has open, named or not: on Linux {@code /proc/self/fd} shows an
     * unlinked file as {@code /tmp/berth-s3-....part (deleted)}. -1 where there is no {@code /proc}.
     */
    static int open() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        int n = 0;
        try (Stream<Path> all = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) all::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).getFileName().toString().startsWith(S3Writer.BUFFER_PREFIX)) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor, or one closed since
                }
            }
        }
        return n;
    }
}
