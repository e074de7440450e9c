package dev.berth.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code registry-server.jar} as a real child process, with its log in a file and its port read off the log. */
final class ServerProcess implements AutoCloseable {
    /** A host, an IPv6 address in brackets included, then its port. */
    private static final String HOST_PORT = "(?:\\[[^]]+]|[^:/\\s]+):(\\d+)";
    private static final Pattern LISTENING = Pattern.compile("registry listening on (https?)://" + HOST_PORT);
    private static final Pattern DEBUG = Pattern.compile("debug server listening on http://" + HOST_PORT);

    final Process process;
    final Path log;
    final long startedNanos;
    String scheme;
    int port;
    int debugPort = -1;

    private ServerProcess(Process process, Path log, long startedNanos) {
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    static Path jar() {
        String jar = System.getProperty("berth.server.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("the server jar is missing (" + jar + "); run through mvn verify");
        }
        return Path.of(jar);
    }

    static ServerProcess start(Path log, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-jar", jar().toString()));
        command.addAll(List.of(args));
        return start(command, log, env);
    }

    /**
     * The jar started by its launcher, {@code bin/berth}, on this test's Java; {@code env} may add launcher variables
     * ({@code BERTH_CACHE_DIR}, {@code JAVA_OPTS}).
     */
    static ServerProcess launch(Path log, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", Path.of("bin", "berth").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Map<String, String> all = new HashMap<>(env);
        all.put("BERTH_JAR", jar().toString());
        all.put("JAVA_HOME", System.getProperty("java.home"));
        return start(command, log, all);
    }

    private static ServerProcess start(List<String> command, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        return new ServerProcess(pb.start(), log, t0);
    }

    /** Waits for the "listening" line; fails with the log when the process exits first. */
    ServerProcess awaitListening(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(logText());
            if (m.find()) {
                scheme = m.group(1);
                port = Integer.parseInt(m.group(2));
                Matcher d = DEBUG.matcher(logText());
                if (d.find()) {
                    debugPort = Integer.parseInt(d.group(1));
                }
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the server exited with " + process.exitValue() + ":\n" + logText());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the server did not start in " + timeout + ":\n" + logText());
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** SIGTERM, as an init system or Kubernetes stops a server. */
    void terminate() {
        process.destroy();
    }

    int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the server did not stop in " + timeout + ":\n" + logText());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
