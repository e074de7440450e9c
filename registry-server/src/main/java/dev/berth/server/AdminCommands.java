package dev.berth.server;

import dev.berth.notifications.Notifier;
import dev.berth.registry.Registry;
import dev.berth.registry.RepositoryDeletion;
import dev.berth.registry.Retention;
import dev.berth.registry.RetentionReport;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Tag;
import dev.berth.server.config.ConfigException;
import dev.berth.server.config.ConfigLoader;
import dev.berth.server.config.ServerConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle commands of {@code registry-server.jar}, run against the storage a config file names (the server may
 * be running meanwhile: every step is one the registry itself would do):
 *
 * <ul>
 *   <li>{@code delete-repository config.yml NAME}: deletes one repository (not the ones nested in it), printing what
 *       it removed; blob bytes stay until garbage collection;</li>
 *   <li>{@code retention config.yml [--dry-run]}: applies the {@code retention} policies of the file once, printing
 *       what it kept and deleted (with {@code --dry-run} or {@code retention.dryrun: true}, what it would delete).</li>
 * </ul>
 *
 * Exit codes as for the rest of the command line: 0 done, 1 refused or failed at run time, 2 bad command line or
 * configuration. {@link #applyRetention} is what the server's scheduler runs.
 */
public final class AdminCommands {
    /** The commands this class runs. */
    static final Set<String> COMMANDS = Set.of("delete-repository", "retention");

    /**
     * The commands' logger, asked for when used: Main reads {@link #COMMANDS} before logging has started (it starts on
     * a second thread meanwhile), and a logger in a static field would make that read wait for it.
     */
    private static Logger log() {
        return LoggerFactory.getLogger(AdminCommands.class);
    }

    private AdminCommands() {
    }

    /**
     * Applies the configured retention policies once (deleting, unless {@code retention.dryrun}), logs a summary and
     * returns the report: what a scheduler runs every {@link ServerConfig.Retention#interval()} when
     * {@link ServerConfig.Retention#scheduled()}.
     *
     * @throws RegistryException UNSUPPORTED when deletes are disabled and this is no dry run
     */
    public static RetentionReport applyRetention(Registry registry, ServerConfig.Retention retention) {
        return applyRetention(registry, retention, retention.dryRun());
    }

    static RetentionReport applyRetention(Registry registry, ServerConfig.Retention retention, boolean dryRun) {
        Retention policies = Retention.of(retention.policies());
        RetentionReport report = dryRun ? policies.dryRun(registry) : policies.apply(registry);
        log().info("retention{}: {} repositories, {} tag(s) {}, {} kept", dryRun ? " (dry run)" : "",
                report.repositories().size(), report.deletedCount(), dryRun ? "to delete" : "deleted",
                report.keptCount());
        return report;
    }

    /** Runs {@code args} (the command first); returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream unmasked) {
        PrintStream err = ConfigLoader.masking(unmasked, env); // a value read from a _FILE variable never shows
        String command = args[0];
        List<String> positional = new ArrayList<>();
        boolean dryRun = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.print(Main.USAGE);
                return 0;
            } else if (a.equals("--dry-run") && command.equals("retention")) {
                dryRun = true;
            } else if (a.startsWith("-")) {
                return usage(err, "unexpected argument '" + a + "'");
            } else {
                positional.add(a);
            }
        }
        int wanted = command.equals("delete-repository") ? 2 : 1;
        if (positional.size() == wanted - 1 && env.get("REGISTRY_CONFIGURATION_PATH") != null) {
            positional.add(0, env.get("REGISTRY_CONFIGURATION_PATH"));
        }
        if (positional.size() != wanted) {
            return usage(err, command + " needs " + (wanted == 2 ? "config.yml and a repository name" : "config.yml")
                    + (positional.size() > wanted ? "; unexpected argument '" + positional.get(wanted) + "'" : ""));
        }
        ServerConfig config;
        try {
            config = ConfigLoader.load(Path.of(positional.get(0)), env);
        } catch (ConfigException e) {
            err.println("registry-server: configuration error: " + Failures.describe(e));
            return 2;
        }
        Main.configureLogging(config.log());
        config.warnings().forEach(w -> log().warn("config: {}", w));
        if (command.equals("retention") && config.retention().policies().isEmpty()) {
            err.println("registry-server: retention: " + positional.get(0) + " has no retention.policies");
            return 2;
        }
        // Configured notifications hear of what the command deletes, as they would of the server's deletes.
        Notifier notifier = Main.startNotifier(config);
        try (Registry registry = Main.openRegistry(config, false, notifier)) {
            if (command.equals("delete-repository")) {
                return deleteRepository(registry, positional.get(1), out);
            }
            RetentionReport report = applyRetention(registry, config.retention(),
                    dryRun || config.retention().dryRun());
            print(report, out);
            return 0;
        } catch (ConfigException e) {
            err.println("registry-server: configuration error: " + Failures.describe(e));
            return 2;
        } catch (RegistryException e) {
            err.println("registry-server: " + command + ": " + e.code() + ": " + e.detail());
            return 1;
        } catch (Exception e) {
            err.println("registry-server: " + command + " failed: " + Failures.describe(e));
            log().debug("{} failed", command, e);
            return 1;
        } finally {
            if (notifier != null) {
                notifier.close(); // delivers what the command raised, for a short while at most
            }
        }
    }

    private static int deleteRepository(Registry registry, String name, PrintStream out) {
        RepositoryDeletion d = registry.deleteRepository(name);
        out.println("deleted repository " + d.repository() + ": " + d.tags().size() + " tag(s)"
                + (d.tags().isEmpty() ? "" : " (" + d.tags().stream().map(Tag::value)
                        .collect(Collectors.joining(", ")) + ")")
                + ", " + d.manifests().size() + " manifest(s), " + d.blobs().size() + " blob link(s), "
                + d.uploads() + " upload(s) in progress");
        out.println("blob data stays in storage until garbage-collect frees what no repository links");
        return 0;
    }

    /** The report, one line per tag, newest first within each repository. */
    static void print(RetentionReport report, PrintStream out) {
        out.println("retention" + (report.dryRun() ? " (dry run, nothing deleted)" : "") + ": "
                + report.repositories().size() + " repositories, " + report.deletedCount() + " tag(s) "
                + (report.dryRun() ? "to delete" : "deleted") + ", " + report.keptCount() + " kept");
        for (RetentionReport.RepositoryReport r : report.repositories()) {
            out.println(r.repository() + ":");
            for (RetentionReport.TagEntry e : r.deleted()) {
                out.println("  " + (report.dryRun() ? "would delete " : "deleted      ") + line(e));
            }
            for (RetentionReport.TagEntry e : r.kept()) {
                out.println("  kept         " + line(e));
            }
        }
        if (report.deletedCount() > 0) {
            out.println("only tags are deleted; garbage-collect --delete-untagged frees the manifests and blobs");
        }
    }

    private static String line(RetentionReport.TagEntry e) {
        return e.tag() + "  " + e.digest() + "  pushed " + e.pushed() + "  (" + e.reason() + ")";
    }

    private static int usage(PrintStream err, String problem) {
        err.println("registry-server: " + problem + "\n" + Main.USAGE);
        return 2;
    }
}
