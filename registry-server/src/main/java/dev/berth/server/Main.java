package dev.berth.server;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.berth.notifications.Notifier;
import dev.berth.registry.Registry;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.diagnostics.Urls;
import dev.berth.registry.events.EventListener;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.servlet.ServletOptions;
import dev.berth.server.config.ConfigException;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import dev.berth.server.internal.LogConfigurator;
import dev.berth.ui.Activity;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line of {@code registry-server.jar}: {@code serve [config.yml]} (the default command), {@code
 * garbage-collect config.yml}, {@code --version}, {@code --help}. Exit codes: 0 done, 1 failed at run time, 2 bad
 * command line or configuration.
 */
public final class Main {
    static final String USAGE = """
            usage: java -jar registry-server.jar [serve] [config.yml] [--port N] [--root DIR]
                   java -jar registry-server.jar garbage-collect config.yml [--dry-run] [--delete-untagged]
                                                 [--gc-delay DURATION] [--parallelism N]
                   java -jar registry-server.jar delete-repository config.yml NAME
                   java -jar registry-server.jar retention config.yml [--dry-run]
                   java -jar registry-server.jar --version | --help

            serve            run the registry (the default). config.yml is distribution's format (version: 0.1);
                             without one (and without REGISTRY_CONFIGURATION_PATH) Berth serves :5000 from ./berth-data
                             with deletes enabled. REGISTRY_<KEY>_<SUBKEY>... variables override the file.
              --port N       shorthand for REGISTRY_HTTP_ADDR=:N
              --root DIR     shorthand for REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=DIR
            garbage-collect  delete the blobs no manifest references, and with --delete-untagged the manifests no
                             tag points at (never the children of a kept index, nor the signatures and other
                             referrers of a kept manifest); prints what it deletes and the bytes freed. Run it with
                             the registry stopped or read-only, or with --gc-delay longer than a push takes
                             (nothing younger is collected). --dry-run deletes nothing.
            delete-repository
                             delete one repository (not those nested in it): its tags, manifests, blob links and
                             uploads; blob data stays until garbage-collect. Needs storage.delete.enabled: true.
            retention        apply the retention policies of config.yml once and print what was kept and deleted;
              --dry-run      only print what would be deleted
            """;

    /**
     * Counted down once logback has started on the second thread {@link #main} starts it on; null when Main was not
     * started by {@link #main} (a test calling {@link #run}): logging then starts on first use, as usual.
     */
    private static volatile CountDownLatch loggingStarted;

    /** The Jetty system property that spares it its MBean server query (see {@link #main}). */
    static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    private Main() {
    }

    public static void main(String[] args) {
        // Jetty's thread pool queue pads its fields to a cache line of references; without this property Jetty asks
        // the platform MBean server whether oops are compressed, and creating that server (some 200 JMX classes) was a
        // tenth of the start. 16 is what it finds with compressed oops (the default below 32 GB of heap); with 8-byte
        // references it only pads more than needed.
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, "16");
        }
        // Two things the main thread would otherwise do one after the other are done on a second thread meanwhile,
        // while the main thread reads the configuration (12-17% off a plain start at a load average of 5 on 2 cores;
        // nothing gained where no core is idle):
        // - logback's start (some 340 classes), which Main waits for before it sets the log level (configureLogging);
        // - Locale.getAvailableLocales(), with which Jetty's MimeTypes, initialised by the server's construction,
        //   starts: the JDK then parses the tag of every locale it has (some 800), which took 40% of the main thread's
        //   time to the first answer with a class archive. The JDK keeps that list once made; whichever thread needs
        //   it first makes it, the other waits.
        CountDownLatch logging = new CountDownLatch(1);
        loggingStarted = logging;
        Thread early = new Thread(() -> {
            try {
                LoggerFactory.getILoggerFactory();
            } finally {
                logging.countDown();
            }
            Locale.getAvailableLocales();
        }, "berth-early-start");
        early.setDaemon(true);
        early.start();
        int code = run(args, System.getenv(), System.out, System.err, true);
        if (code != 0 || args.length > 0 && args[0].equals(StartupTraining.COMMAND)) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit code (serve returns only when the server has stopped). */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, out, err, false);
    }

    /**
     * Runs a command; returns the exit code (serve returns only when the server has stopped). With {@code
     * exitOnSignals} (the process's own main, not a test calling in), serve takes SIGTERM and SIGINT: it drains, then
     * the JVM exits with status 0 (see {@link Shutdown}).
     */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, boolean exitOnSignals) {
        if (args.length == 1 && args[0].equals(StartupTraining.COMMAND)) {
            return StartupTraining.run(err);
        }
        if (args.length > 0 && AdminCommands.COMMANDS.contains(args[0])) {
            awaitLogging();
            return AdminCommands.run(args, env, out, err);
        }
        String command = "serve";
        String file = null;
        Map<String, String> overrides = new HashMap<>(env);
        List<String> gcFlags = new ArrayList<>();
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("-")) {
            if (args[0].equals("serve") || args[0].equals("garbage-collect")) {
                command = args[0];
                i = 1;
            }
        }
        for (; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--version", "-v" -> {
                    out.println("berth registry-server " + version());
                    return 0;
                }
                case "--port", "--root" -> {
                    if (i + 1 >= args.length) {
                        err.println("registry-server: " + a + " needs a value\n" + USAGE);
                        return 2;
                    }
                    String value = args[++i];
                    if (a.equals("--port")) {
                        overrides.put("REGISTRY_HTTP_ADDR", ":" + value);
                    } else {
                        overrides.put("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", Path.of(value).toAbsolutePath()
                                .toString());
                    }
                }
                case "--dry-run", "--delete-untagged", "--gc-delay", "--parallelism" -> {
                    if (!command.equals("garbage-collect")) {
                        err.println("registry-server: " + a + " belongs to garbage-collect\n" + USAGE);
                        return 2;
                    }
                    gcFlags.add(a);
                    if ((a.equals("--gc-delay") || a.equals("--parallelism")) && i + 1 < args.length) {
                        gcFlags.add(args[++i]);
                    }
                }
                default -> {
                    if (a.startsWith("-") || file != null) {
                        err.println("registry-server: unexpected argument '" + a + "'\n" + USAGE);
                        return 2;
                    }
                    file = a;
                }
            }
        }
        if (file == null && env.get("REGISTRY_CONFIGURATION_PATH") != null) {
            file = env.get("REGISTRY_CONFIGURATION_PATH");
        }
        if (command.equals("garbage-collect") && file == null) {
            err.println("registry-server: garbage-collect needs the registry's config.yml\n" + USAGE);
            return 2;
        }
        ServerConfig config;
        try {
            config = ConfigLoader.load(file == null ? null : Path.of(file), overrides);
        } catch (ConfigException e) {
            err.println("registry-server: configuration error: " + Failures.describe(e));
            return 2;
        }
        configureLogging(config.log());
        Logger log = LoggerFactory.getLogger(Main.class);
        config.warnings().forEach(w -> log.warn("config: {}", w));
        if (command.equals("garbage-collect")) {
            return GarbageCollectCommand.run(config, gcFlags, out, ConfigLoader.masking(err, overrides));
        }
        try {
            BerthServer server = serve(config);
            configurationLines(config).forEach(log::info);
            Shutdown shutdown = new Shutdown(() -> stop(server, config, log), log);
            shutdown.onJvmExit();
            if (exitOnSignals) {
                log.debug("exit status 0 after stopping on SIG{}", shutdown.exitOnSignals());
            }
            listeningLines(server, config).forEach(log::info);
            server.join();
            return 0;
        } catch (IllegalArgumentException | ConfigException e) {
            log.error("cannot start: {}", ConfigLoader.mask(Failures.describe(e), overrides));
            return 2;
        } catch (Exception e) {
            String why = Failures.describe(e);
            String masked = ConfigLoader.mask(why, overrides);
            if (masked.equals(why)) {
                log.error("cannot start: {}", why, e);
            } else {
                log.error("cannot start: {}", masked); // the stack trace's messages would show the secret
            }
            return 1;
        }
    }

    /**
     * Stops a server: finishes the requests in flight (up to {@code http.draintimeout}), closes it, then flushes the
     * asynchronous log. Returns whether closing went well.
     */
    static boolean stop(BerthServer server, ServerConfig config, Logger log) {
        boolean ok = true;
        try {
            log.info("stopping: finishing requests in flight (up to {})", config.http().drainTimeout());
            server.close();
            log.info("stopped");
        } catch (Exception e) {
            log.warn("stopping failed: {}", Failures.describe(e));
            ok = false;
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop(); // flushes the asynchronous appender's queue
        }
        return ok;
    }

    /** The lines that say, at startup, who may do what, where content is pulled through from, and the limits. */
    static List<String> configurationLines(ServerConfig config) {
        List<String> lines = new ArrayList<>();
        ServerConfig.Auth auth = config.auth();
        if (auth.enabled()) {
            lines.add("authentication: " + auth.provider() + (auth.builtinIssuer().isPresent()
                    ? " with the built-in token issuer at " + config.http().prefix() + ServerSecurity.TOKEN_PATH : "")
                    + "; access: " + (auth.access().isPresent() ? "the access rules"
                            : "every authenticated caller may do all"));
        } else {
            lines.add("authentication: none (no auth section: every caller may do everything)");
        }
        config.upstreams().forEach(u -> lines.add("pull-through cache: " + u)); // Upstream masks its password
        lines.add("http.limits: " + config.http().limits());
        return lines;
    }

    /**
     * The lines that say where {@code server} listens: the debug server's first, when there is one, because the
     * registry's is the "ready" signal that scripts and tests wait for. Addresses are in URL form, an IPv6 one in
     * brackets.
     */
    static List<String> listeningLines(BerthServer server, ServerConfig config) {
        List<String> lines = new ArrayList<>();
        server.debugUrl().ifPresent(url -> lines.add("debug server listening on " + url
                + (config.http().debug().get().prometheus() ? " and " + config.http().debug().get().prometheusPath()
                        : "")));
        lines.add("Berth registry listening on " + server.url() + " with " + config.storage().driver()
                + " storage and " + config.storage().cache().map(c -> "the " + c.name() + " cache").orElse("no cache"));
        return lines;
    }

    /** Builds the registry and starts the server a configuration describes. */
    public static BerthServer serve(ServerConfig config) throws Exception {
        ServerConfig.Storage storage = config.storage();
        Notifier notifier = startNotifier(config);
        ServerConfig.Ui ui = config.ui();
        Activity activity = ui.enabled() ? new Activity(ui.activity()) : null;
        EventListener events = notifier;
        if (activity != null) {
            events = notifier == null ? activity : activity.and(notifier);
        }
        Registry registry;
        try {
            registry = openRegistry(config, storage.maintenance().readOnly(), events);
        } catch (Exception e) {
            closeNow(notifier);
            throw e;
        }
        ServletOptions options = new ServletOptions(config.http().host(), config.http().relativeUrls(),
                config.http().headers(), config.catalogMaxEntries()).withRedirects(!storage.redirectDisabled());
        ServerSecurity security;
        try {
            security = ServerSecurity.from(config.auth());
        } catch (RuntimeException e) {
            closeNow(notifier);
            registry.close();
            throw e;
        }
        BerthServer server;
        try {
            server = BerthServer.start(registry, config.http(), options, config.log().accessLog(), security,
                    notifier, ui, activity);
        } catch (Exception e) {
            closeNow(notifier);
            security.close();
            registry.close();
            throw e;
        }
        if (storage.maintenance().readOnly()) {
            LoggerFactory.getLogger(Main.class).warn("storage: read-only mode (storage.maintenance.readonly):"
                    + " pushes and deletes are refused");
        }
        try {
            Random random = new Random();
            UploadPurgeTask.schedule(server.maintenance(), registry, storage.maintenance().uploadPurging(), random);
            scheduleRetention(server.maintenance(), registry, config.retention(), random);
            // After retention in the schedule's order, so a run that removes tags is followed by one that frees them.
            GarbageCollectTask.schedule(server.maintenance(), registry, storage.maintenance().gc(), server.metrics(),
                    random);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Applies the retention policies every {@code retention.interval}, when one is set and the registry writable. */
    static boolean scheduleRetention(Maintenance maintenance, Registry registry, ServerConfig.Retention retention,
            Random random) {
        if (!retention.scheduled()) {
            return false;
        }
        Logger log = LoggerFactory.getLogger(Main.class);
        if (registry.readOnly()) {
            log.info("retention: off while storage.maintenance.readonly is enabled");
            return false;
        }
        Duration delay = UploadPurgeTask.firstDelay(retention.interval(), random);
        maintenance.schedule("retention", delay, retention.interval(), () -> AdminCommands.applyRetention(registry,
                retention));
        log.info("retention: {} policies applied every {}{}, the first in {}s", retention.policies().size(),
                retention.interval(), retention.dryRun() ? " (dry run)" : "", delay.toSeconds());
        return true;
    }

    /**
     * The {@code source.addr} of events: this host's name and the configured port, as distribution reports it
     * ({@code os.Hostname()} and the port of {@code http.addr}); an IPv6 address in brackets, as Go's
     * {@code net.JoinHostPort} writes it.
     */
    static String sourceAddress(ServerConfig.Http http) {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                host = http.bindHost();
            }
        }
        return Urls.hostPort(host, http.port());
    }

    /**
     * The notifier of the configuration's {@code notifications} (its endpoints started), or null when it has none.
     * Whoever runs the registry closes it after the registry's last action, so that its events go out.
     */
    static Notifier startNotifier(ServerConfig config) {
        if (!config.notifications().enabled()) {
            return null;
        }
        return Notifier.start(config.notifications().endpoints(), config.notifications().includeReferences(),
                new RegistryEvent.Source(sourceAddress(config.http()), Notifier.INSTANCE_ID));
    }

    /** Closes a notifier that never got to work (null: none), dropping what it may have queued. */
    static void closeNow(Notifier notifier) {
        if (notifier != null) {
            notifier.close(Duration.ZERO);
        }
    }

    /** As {@link #openRegistry(ServerConfig, boolean, EventListener)}, telling nobody of its events. */
    static Registry openRegistry(ServerConfig config, boolean readOnly) throws ConfigException {
        return openRegistry(config, readOnly, null);
    }

    /**
     * The registry a configuration describes: its storage driver, cache and switches (no server), reporting its
     * events to {@code events} (null: none). Read-only as {@code storage.maintenance.readonly} says only when
     * {@code readOnly}: an offline command such as {@code garbage-collect} runs against a registry that serves
     * read-only meanwhile (distribution's procedure).
     */
    static Registry openRegistry(ServerConfig config, boolean readOnly, EventListener events) throws ConfigException {
        ServerConfig.Storage storage = config.storage();
        try {
            Registry.Builder builder = Registry.builder().storage(storage.driver(), storage.parameters())
                    .deletesEnabled(storage.deleteEnabled()).readOnly(readOnly).immutableTags(config.immutableTags());
            if (events != null) {
                builder.events(events);
            }
            config.upstreams().forEach(builder::upstream);
            if (storage.cache().isPresent()) {
                ServerConfig.Cache cache = storage.cache().get();
                try {
                    builder.cache(cache.name(), cache.parameters());
                } catch (IllegalArgumentException e) {
                    throw ConfigException.fromPlugin(cache.name().equals("redis") ? "redis" : "storage.cache", e);
                }
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw ConfigException.fromPlugin("storage." + storage.driver(), e);
        }
    }

    /**
     * Waits until logback has started, when {@link #main} started it on a second thread: SLF4J hands a thread that
     * asks for its logger factory meanwhile a stand-in, which is not logback's context to configure.
     */
    static void awaitLogging() {
        CountDownLatch started = loggingStarted;
        if (started == null) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                started.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static void configureLogging(ServerConfig.Log log) {
        awaitLogging();
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.setLevel(Level.toLevel(log.level(), Level.INFO));
            Appender<ILoggingEvent> console =
                    root.getAppender("ASYNC") instanceof AsyncAppender async
                            ? async.getAppender(LogConfigurator.APPENDER) : root.getAppender(LogConfigurator.APPENDER);
            if (log.formatter().equals("json")
                    && console instanceof OutputStreamAppender<?> appender) {
                @SuppressWarnings("unchecked")
                var stderr = (OutputStreamAppender<ILoggingEvent>)
                        appender;
                JsonEncoder json = new JsonEncoder();
                json.setContext(context);
                json.setWithFormattedMessage(true);
                json.setWithMessage(false);
                json.setWithArguments(false);
                json.setWithContext(false);
                json.setWithSequenceNumber(false);
                json.setWithNanoseconds(false);
                json.start();
                stderr.stop();
                stderr.setEncoder(json);
                stderr.start();
            }
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
