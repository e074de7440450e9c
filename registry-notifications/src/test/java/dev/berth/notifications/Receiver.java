package dev.berth.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * A real webhook receiver on a loopback port (the JDK's HTTP server): records every POST, answers the status a test
 * chooses, and can hold requests until released. Also the two ways an endpoint fails: a closed port, and a socket
 * that accepts and never answers.
 */
final class Receiver implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One POST as it arrived. */
    record Post(Map<String, List<String>> headers, JsonNode body, int answered) {
        List<JsonNode> events() {
            List<JsonNode> out = new ArrayList<>();
            body.path("events").forEach(out::add);
            return out;
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }

        List<String> headerValues(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(Map.Entry::getValue).orElse(List.of());
        }
    }

    final HttpServer server;
    final ExecutorService executor = Executors.newCachedThreadPool();
    final List<Post> posts = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    volatile IntSupplier status = () -> 200;
    volatile CountDownLatch hold = new CountDownLatch(0);
    final CountDownLatch firstArrived = new CountDownLatch(1);

    Receiver() throws IOException {
        this(0);
    }

    Receiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                requests.incrementAndGet();
                firstArrived.countDown();
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                int code = status.getAsInt();
                posts.add(new Post(Map.copyOf(exchange.getRequestHeaders()), JSON.readTree(body), code));
                exchange.sendResponseHeaders(code, -1);
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port() + "/events");
    }

    /** The events of every POST answered 2xx/3xx, in order. */
    List<JsonNode> accepted() {
        List<JsonNode> out = new ArrayList<>();
        for (Post p : posts) {
            if (p.answered() < 400) {
                out.addAll(p.events());
            }
        }
        return out;
    }

    /** Waits until {@code accepted()} satisfies {@code done}. */
    List<JsonNode> awaitAccepted(Predicate<List<JsonNode>> done) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            List<JsonNode> now = accepted();
            if (done.test(now)) {
                return now;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the receiver did not get the events; it has " + accepted());
    }

    List<JsonNode> awaitAccepted(int count) throws InterruptedException {
        return awaitAccepted(events -> events.size() >= count);
    }

    @Override
    public void close() {
        hold.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    /** A loopback port nothing listens on. */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Accepts connections, reads nothing, answers nothing: an endpoint that hangs. */
    static final class BlackHole implements AutoCloseable {
        final ServerSocket socket;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        final Thread acceptor;

        BlackHole() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(socket.accept());
                    }
                } catch (IOException closed) {
                    // done
                }
            }, "black-hole");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/events");
        }

        @Override
        public void close() {
            try {
                socket.close();
                for (Socket s : accepted) {
                    s.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
