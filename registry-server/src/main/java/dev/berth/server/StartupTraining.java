package dev.berth.server;

import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The training run of the launcher ({@code bin/berth}) and of the image's class archive: {@code registry-server.jar
 * train-startup} starts the server from a config.yml of its own (registry:2's default, read from a file as serve reads
 * one) on a loopback port and a temporary folder, pushes and pulls a small image through it over HTTP, stops it and
 * exits, so that the JVM archive recorded around this run (AppCDS, Java 25's AOT cache with its method profiles, or
 * the image's class list) holds the classes of serving and not only those of starting. Ignores the registry's own
 * {@code config.yml} and every {@code REGISTRY_*} variable: training never touches the registry's storage, ports or
 * upstreams. Not for people: the launcher runs it when it has no archive yet.
 */
final class StartupTraining {
    /** The command's name. */
    static final String COMMAND = "train-startup";
    /** Rounds of push and pull: a few, so that the recorded profiles see the request path more than once. */
    private static final int ROUNDS = 3;
    /**
     * The layer's size: a layer of a few bytes gave Java 25 profiles of tiny bodies only, and its first pull of a
     * real blob after such a training was slower than without the profiles.
     */
    private static final int LAYER_BYTES = 2 << 20;
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.1 (\\d{3})");
    private static final Pattern LOCATION = Pattern.compile("(?im)^Location: *(\\S+)\\s*$");

    /** The training's configuration; ROOT is the storage folder, as a single-quoted YAML scalar. */
    private static final String CONFIG = """
            version: 0.1
            storage:
              cache:
                blobdescriptor: inmemory
              filesystem:
                rootdirectory: ROOT
            http:
              addr: 127.0.0.1:0
              headers:
                X-Content-Type-Options: [nosniff]
            """;

    private StartupTraining() {
    }

    /** Runs the training; returns the exit code: 0 done, 1 failed (the launcher then records no archive). */
    static int run(PrintStream err) {
        Path root = null;
        try {
            root = Files.createTempDirectory("berth-training");
            // A config.yml of the shape most registries start with (registry:2's, as the image has it), read as serve
            // reads one, so that the archive holds the classes of parsing a file too; no environment overrides.
            Path file = root.resolve("config.yml");
            String storage = "'" + root.resolve("data").toString().replace("'", "''") + "'";
            Files.writeString(file, CONFIG.replace("ROOT", storage));
            ServerConfig config = ConfigLoader.load(file, Map.of());
            Main.configureLogging(config.log());
            try (BerthServer server = Main.serve(config)) {
                // what serving computes before and once it listens
                Main.configurationLines(config);
                Main.listeningLines(server, config);
                for (int i = 0; i < ROUNDS; i++) {
                    exercise(server.port(), i);
                }
            }
            return 0;
        } catch (Exception e) {
            err.println("registry-server: startup training failed: " + e);
            return 1;
        } finally {
            if (root != null) {
                deleteQuietly(root);
            }
        }
    }

    /** What a client does first: the version check, a push of a config and a layer and a manifest, a pull. */
    static void exercise(int port, int round) throws IOException {
        String repo = "training/image";
        expect(request(port, "GET", "/v2/", Map.of(), new byte[0]), 200);
        byte[] layer = new byte[LAYER_BYTES];
        new SplittableRandom(round).nextBytes(layer);
        byte[] imageConfig = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        String layerDigest = sha256(layer);
        String configDigest = sha256(imageConfig);
        // A monolithic upload (POST, PUT with the body) and a chunked one (POST, PATCH, PUT).
        Response started = expect(request(port, "POST", "/v2/" + repo + "/blobs/uploads/", Map.of(), new byte[0]), 202);
        expect(request(port, "PUT", path(started.location()) + "&digest=" + layerDigest, Map.of("Content-Type",
                "application/octet-stream"), layer), 201);
        started = expect(request(port, "POST", "/v2/" + repo + "/blobs/uploads/", Map.of(), new byte[0]), 202);
        Response patched = expect(request(port, "PATCH", path(started.location()), Map.of("Content-Type",
                "application/octet-stream"), imageConfig), 202);
        expect(request(port, "PUT", path(patched.location()) + "&digest=" + configDigest, Map.of(), new byte[0]), 201);
        expect(request(port, "HEAD", "/v2/" + repo + "/blobs/" + layerDigest, Map.of(), new byte[0]), 200);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + imageConfig.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + layerDigest + "\",\"size\":"
                + layer.length + "}]}";
        expect(request(port, "PUT", "/v2/" + repo + "/manifests/v" + round, Map.of("Content-Type",
                "application/vnd.oci.image.manifest.v1+json"), manifest.getBytes(StandardCharsets.UTF_8)), 201);
        // The pull: manifest by tag, its blobs; then the listings.
        expect(request(port, "HEAD", "/v2/" + repo + "/manifests/v" + round, Map.of("Accept",
                "application/vnd.oci.image.manifest.v1+json"), new byte[0]), 200);
        expect(request(port, "GET", "/v2/" + repo + "/manifests/v" + round, Map.of("Accept",
                "application/vnd.oci.image.manifest.v1+json"), new byte[0]), 200);
        expect(request(port, "GET", "/v2/" + repo + "/blobs/" + configDigest, Map.of(), new byte[0]), 200);
        expect(request(port, "GET", "/v2/" + repo + "/blobs/" + layerDigest, Map.of(), new byte[0]), 200);
        expect(request(port, "GET", "/v2/" + repo + "/tags/list", Map.of(), new byte[0]), 200);
        expect(request(port, "GET", "/v2/_catalog", Map.of(), new byte[0]), 200);
        expect(request(port, "GET", "/v2/" + repo + "/manifests/missing", Map.of(), new byte[0]), 404);
        int console = request(port, "GET", "/ui/", Map.of(), new byte[0]).status();
        if (console >= 500) {
            throw new IOException("the console answered " + console);
        }
    }

    /** The path and query of an upload's Location, which may be an absolute URL. */
    private static String path(String location) {
        String p = location.startsWith("http") ? location.substring(location.indexOf('/', location.indexOf("//") + 2))
                : location;
        return p.contains("?") ? p : p + "?";
    }

    private record Response(int status, String headers) {
        String location() throws IOException {
            Matcher m = LOCATION.matcher(headers);
            if (!m.find()) {
                throw new IOException("no Location in an answer of " + status);
            }
            return m.group(1);
        }
    }

    private static Response expect(Response response, int status) throws IOException {
        if (response.status() != status) {
            throw new IOException("expected " + status + ", got " + response.status() + ": " + response.headers());
        }
        return response;
    }

    /** One HTTP/1.1 exchange on a connection of its own, read to its end. */
    private static Response request(int port, String method, String target, Map<String, String> headers, byte[] body)
            throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port).append("\r\nConnection: close\r\n")
                    .append("User-Agent: berth-startup-training\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body.length > 0 || method.equals("PUT") || method.equals("POST") || method.equals("PATCH")) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String answerHead = end < 0 ? text : text.substring(0, end);
            Matcher status = STATUS.matcher(answerHead);
            if (!status.find()) {
                throw new IOException(method + " " + target + ": no HTTP status in the answer");
            }
            return new Response(Integer.parseInt(status.group(1)), answerHead);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // a temporary folder left behind is the system's to clean
        }
    }
}
