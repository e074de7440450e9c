package dev.berth.server;

import dev.berth.notifications.Notifier;
import dev.berth.registry.Registry;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.gc.GcOptions;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.spi.Parameters;
import dev.berth.server.config.ConfigException;
import dev.berth.server.config.ServerConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code registry-server.jar garbage-collect config.yml [--dry-run] [--delete-untagged] [--gc-delay D]}: one offline
 * mark and sweep over the configured storage, as distribution's {@code registry garbage-collect} does, printing
 * each manifest and blob it deletes and the bytes freed. Stop the registry first, put it in read-only mode, or pass
 * {@code --gc-delay} longer than a push takes so that pushes in flight are safe.
 */
final class GarbageCollectCommand {
    private GarbageCollectCommand() {
    }

    /** The flags the command takes; the config file comes separately. */
    static final List<String> FLAGS = List.of("--dry-run", "--delete-untagged", "--gc-delay", "--parallelism");

    static int run(ServerConfig config, List<String> flags, PrintStream out, PrintStream err) {
        GcOptions options = GcOptions.DEFAULTS;
        for (int i = 0; i < flags.size(); i++) {
            String flag = flags.get(i);
            try {
                switch (flag) {
                    case "--dry-run" -> options = options.withDryRun(true);
                    case "--delete-untagged" -> options = options.withDeleteUntagged(true);
                    case "--gc-delay" -> options = options.withGracePeriod(duration(flags, ++i, flag));
                    case "--parallelism" -> options = options.withParallelism(Integer.parseInt(value(flags, ++i,
                            flag)));
                    default -> throw new IllegalArgumentException("unknown flag " + flag);
                }
            } catch (IllegalArgumentException | ConfigException e) {
                err.println("registry-server: garbage-collect: " + flag + ": " + Failures.describe(e));
                return 2;
            }
        }
        // Configured notifications hear of the untagged manifests a collection deletes.
        Notifier notifier = Main.startNotifier(config);
        Registry registry;
        try {
            registry = Main.openRegistry(config, false, notifier);
        } catch (ConfigException e) {
            Main.closeNow(notifier);
            err.println("registry-server: configuration error: " + Failures.describe(e));
            return 2;
        } catch (RuntimeException e) { // the storage cannot be opened (a root directory that is a file, ...)
            Main.closeNow(notifier);
            err.println("registry-server: garbage-collect: cannot open the storage: " + Failures.describe(e));
            return 1;
        }
        try (registry) {
            GcReport report = registry.collectGarbage(options);
            String verb = report.dryRun() ? "would delete" : "deleted";
            report.manifestsDeleted().forEach(m -> out.println(verb + " manifest " + m.repository() + "@"
                    + m.digest()));
            report.blobsDeleted().forEach(b -> out.println(verb + " blob " + b.digest() + " ("
                    + GcReport.bytes(b.size()) + ")"));
            out.println(report.summary() + "; " + report.bytesFreed() + " bytes");
            return 0;
        } catch (RegistryException e) {
            err.println("registry-server: garbage-collect failed, nothing more was deleted: "
                    + Failures.describe(e));
            return 1;
        } catch (Exception e) {
            err.println("registry-server: garbage-collect failed: " + Failures.describe(e));
            return 1;
        } finally {
            if (notifier != null) {
                notifier.close(); // delivers what the collection raised, for a short while at most
            }
        }
    }

    private static String value(List<String> flags, int i, String flag) {
        if (i >= flags.size()) {
            throw new IllegalArgumentException("needs a value");
        }
        return flags.get(i);
    }

    private static Duration duration(List<String> flags, int i, String flag) {
        return Parameters.parseDuration(value(flags, i, flag));
    }
}
