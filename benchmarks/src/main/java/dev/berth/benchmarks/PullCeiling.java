package dev.berth.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a pull can reach on this machine without any registry: a minimal HTTP server that sends a (cached) file over
 * loopback in one of several ways, read by curl and by a Java reader, so that a registry's pull rate can be set against
 * the pair of server technique and client that limits it.
 *
 * <pre>
 * java -cp benchmarks/target/classes dev.berth.benchmarks.PullCeiling ceiling FILE [ROUNDS [MODE,...]]
 * java -cp benchmarks/target/classes dev.berth.benchmarks.PullCeiling fetch URL [ROUNDS [WARM_UP_FILE]]
 * java -cp benchmarks/target/classes dev.berth.benchmarks.PullCeiling serve FILE
 * </pre>
 *
 * <p>{@code ceiling} serves {@code FILE} itself and pulls it {@code ROUNDS} times (default 5) per pair of server
 * technique ({@code sendfile}: {@link FileChannel#transferTo}; {@code direct}: pread into a 1 MiB direct buffer, then
 * write; {@code mapped}: a new 16 MiB {@link MappedByteBuffer} per slice, mapped for the request, as a server that
 * maps per pull would; {@code mapped256}: the same with 256 MiB slices; {@code mapload}: 16 MiB slices
 * {@link MappedByteBuffer#load() loaded} first; {@code mapcache}: one mapping of the file made by the first request
 * and shared by all that follow) and client ({@code curl -o /dev/null}; {@code java}: this class's {@code fetch} in a
 * JVM of its own), printing MiB/s per round and the median; {@code MODE,...} picks techniques (default: sendfile,
 * direct, mapped, mapcache).
 * {@code fetch} GETs {@code URL} {@code ROUNDS} times on new connections, reads each body into a 4 MiB direct buffer
 * (one kernel copy per byte, no user-space copy, few system calls), checks its length against Content-Length and prints
 * one line per round: {@code <status> <bytes> <seconds>}; with {@code WARM_UP_FILE}, it first pulls that file a few
 * times from a server of its own in the same JVM, so that its first timed round is not its own JIT's warm-up.
 * {@code serve} only serves, until stopped.
 */
public final class PullCeiling {
    private static final int READ_BUFFER = 4 << 20;
    private static final String[] MODES = {"sendfile", "direct", "mapped", "mapcache"};

    private PullCeiling() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("fetch")) {
            int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
            if (args.length > 3) {
                warmUp(Path.of(args[3]));
            }
            fetchRounds(URI.create(args[1]), rounds);
        } else if (args.length >= 2 && args[0].equals("serve")) {
            try (Server server = new Server(Path.of(args[1]))) {
                System.out.println("http://127.0.0.1:" + server.port() + "/{sendfile,direct,mapped}");
                server.thread.join();
            }
        } else if (args.length >= 2 && args[0].equals("ceiling")) {
            ceiling(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 5,
                    args.length > 3 ? args[3].split(",") : MODES);
        } else {
            System.err.println("usage: PullCeiling ceiling FILE [ROUNDS] | fetch URL [ROUNDS [WARM_UP_FILE]]"
                    + " | serve FILE");
            System.exit(2);
        }
    }

    // ------------------------------------------------------------------------------------------------------ client

    /**
     * Warms this JVM's reader up on {@code file}, served by this class's own server in this JVM, so that the timed
     * rounds that follow measure the server they pull from, cold or not, and not the reader's own JIT.
     */
    private static void warmUp(Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
        try (Server server = new Server(file)) {
            for (int i = 0; i < WARM_UP_ROUNDS; i++) {
                fetch(URI.create("http://127.0.0.1:" + server.port() + "/direct"), buffer);
            }
        }
    }

    private static final int WARM_UP_ROUNDS = 4;

    private static void fetchRounds(URI url, int rounds) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            long[] got = fetch(url, buffer);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.println(String.format(Locale.ROOT, "%d %d %.6f", got[0], got[1], s));
        }
    }

    /** One GET on a new connection: the status and the body's length (which must match Content-Length). */
    static long[] fetch(URI url, ByteBuffer buffer) throws IOException {
        int port = url.getPort() < 0 ? 80 : url.getPort();
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(url.getHost(), port))) {
            String path = url.getRawPath() + (url.getRawQuery() != null ? "?" + url.getRawQuery() : "");
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + port
                    + "\r\nUser-Agent: pull-ceiling\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
            // The head, byte by byte from a small first read, so that little body is looked at twice.
            buffer.clear().limit(8192);
            int headEnd = -1;
            while (headEnd < 0) {
                if (!buffer.hasRemaining() || ch.read(buffer) < 0) {
                    throw new IOException("no complete response head");
                }
                for (int i = 3; i < buffer.position(); i++) {
                    if (buffer.get(i - 3) == '\r' && buffer.get(i - 2) == '\n' && buffer.get(i - 1) == '\r'
                            && buffer.get(i) == '\n') {
                        headEnd = i + 1;
                        break;
                    }
                }
            }
            byte[] head = new byte[headEnd];
            buffer.get(0, head);
            String text = new String(head, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(text.substring(9, 12));
            long length = -1;
            for (String line : text.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    length = Long.parseLong(line.substring(colon + 1).trim());
                }
            }
            long got = buffer.position() - headEnd;
            while (length < 0 || got < length) {
                buffer.clear();
                int n = ch.read(buffer);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            if (length >= 0 && got != length) {
                throw new IOException("got " + got + " of " + length + " body bytes");
            }
            return new long[] {status, got};
        }
    }

    // ------------------------------------------------------------------------------------------------------ server

    /** A one-request-per-connection HTTP server that sends {@code file} the way the request's path names. */
    static final class Server implements AutoCloseable {
        private final ServerSocketChannel listener;
        private final Path file;
        private final Thread thread;
        private static final long MAP_CHUNK = 256 << 20;
        private List<MappedByteBuffer> cached;

        Server(Path file) throws IOException {
            this.file = file;
            this.listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            this.thread = new Thread(this::acceptLoop, "pull-ceiling-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() throws IOException {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        }

        private void acceptLoop() {
            while (listener.isOpen()) {
                try (SocketChannel ch = listener.accept()) {
                    serve(ch);
                } catch (IOException e) {
                    if (listener.isOpen()) {
                        System.err.println("server: " + e);
                    }
                }
            }
        }

        private void serve(SocketChannel ch) throws IOException {
            ByteBuffer in = ByteBuffer.allocate(8192);
            String request = "";
            while (!request.contains("\r\n\r\n")) {
                if (ch.read(in) < 0) {
                    return;
                }
                request = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
            }
            String mode = request.substring(request.indexOf('/') + 1, request.indexOf(' ', request.indexOf('/')));
            try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = f.size();
                ch.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Length: " + size
                        + "\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1)));
                switch (mode) {
                    case "sendfile" -> {
                        long pos = 0;
                        while (pos < size) {
                            pos += f.transferTo(pos, size - pos, ch);
                        }
                    }
                    case "direct" -> {
                        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                        long pos = 0;
                        while (pos < size) {
                            b.clear().limit((int) Math.min(b.capacity(), size - pos));
                            while (b.hasRemaining()) {
                                f.read(b, pos + b.position());
                            }
                            b.flip();
                            pos += b.remaining();
                            while (b.hasRemaining()) {
                                ch.write(b);
                            }
                        }
                    }
                    case "mapped", "mapped256", "mapload" -> {
                        long pos = 0;
                        long chunk = mode.equals("mapped256") ? 256 << 20 : 16 << 20;
                        while (pos < size) {
                            MappedByteBuffer m = f.map(FileChannel.MapMode.READ_ONLY, pos,
                                    Math.min(chunk, size - pos));
                            if (mode.equals("mapload")) {
                                m.load();
                            }
                            pos += m.remaining();
                            while (m.hasRemaining()) {
                                ch.write(m);
                            }
                        }
                    }
                    case "mapcache" -> {
                        synchronized (this) {
                            if (cached == null) {
                                cached = new ArrayList<>();
                                for (long pos = 0; pos < size; pos += MAP_CHUNK) {
                                    cached.add(f.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(MAP_CHUNK, size - pos)));
                                }
                            }
                        }
                        for (MappedByteBuffer m : cached) {
                            ByteBuffer b = m.duplicate();
                            while (b.hasRemaining()) {
                                ByteBuffer slice = b.slice().limit(Math.min(b.remaining(), 16 << 20));
                                int n = ch.write(slice);
                                b.position(b.position() + n);
                            }
                        }
                    }
                    default -> throw new IOException("unknown mode " + mode);
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    private static void ceiling(Path file, int rounds, String[] modes) throws Exception {
        long size = java.nio.file.Files.size(file);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        try (Server server = new Server(file)) {
            String base = "http://127.0.0.1:" + server.port() + "/";
            // A warm-up of each way, so that the page cache and the server's JIT are not what is measured.
            for (String mode : modes) {
                run(List.of("curl", "-s", "-o", "/dev/null", base + mode));
            }
            System.out.printf(Locale.ROOT, "%s, %d MiB, %d rounds each, MiB/s:%n", file, size >> 20, rounds);
            for (String mode : modes) {
                for (String client : new String[] {"curl", "java"}) {
                    List<Double> rates = new ArrayList<>();
                    if (client.equals("curl")) {
                        for (int i = 0; i < rounds; i++) {
                            String out = run(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{time_total}",
                                    base + mode));
                            String[] f = out.trim().split(" ");
                            check(Long.parseLong(f[0]), size);
                            rates.add(size / 1048576.0 / Double.parseDouble(f[1]));
                        }
                    } else {
                        String out = run(List.of(java, "-cp", cp, PullCeiling.class.getName(), "fetch",
                                base + mode, Integer.toString(rounds + 1)));
                        String[] lines = out.trim().split("\n");
                        for (int i = 1; i < lines.length; i++) { // the first round warms the reader's JVM up
                            String[] f = lines[i].trim().split(" ");
                            check(Long.parseLong(f[1]), size);
                            rates.add(size / 1048576.0 / Double.parseDouble(f[2]));
                        }
                    }
                    List<Double> sorted = new ArrayList<>(rates);
                    sorted.sort(null);
                    StringBuilder all = new StringBuilder();
                    for (double r : rates) {
                        all.append(String.format(Locale.ROOT, " %.0f", r));
                    }
                    System.out.printf(Locale.ROOT, "  server %-8s -> %-4s median %5.0f  rounds%s%n", mode, client,
                            sorted.get(sorted.size() / 2), all);
                }
            }
        }
    }

    private static void check(long got, long size) throws IOException {
        if (got != size) {
            throw new IOException("pulled " + got + " of " + size + " bytes");
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(command + " exited with " + p.exitValue());
        }
        return out;
    }
}
