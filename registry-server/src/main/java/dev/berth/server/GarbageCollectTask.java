package dev.berth.server;

import dev.berth.registry.Registry;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.gc.GcReport;
import dev.berth.server.config.ServerConfig;
import dev.berth.server.observe.RegistryMetrics;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code storage.maintenance.gc}: an online garbage collection while the server serves, logged and
 * counted in the metrics. Scheduled on {@link Maintenance} by {@link #schedule}; the first run comes after the same
 * random delay as upload purging (up to 10 minutes, or the interval when shorter), then one every interval.
 */
final class GarbageCollectTask implements Runnable {
    static final String NAME = "garbage collection";
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollectTask.class);

    private final Registry registry;
    private final ServerConfig.Gc settings;
    private final RegistryMetrics metrics;

    GarbageCollectTask(Registry registry, ServerConfig.Gc settings, RegistryMetrics metrics) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Schedules collections as configured: none when disabled or read-only. Returns whether it scheduled them. */
    static boolean schedule(Maintenance maintenance, Registry registry, ServerConfig.Gc settings,
            RegistryMetrics metrics, Random random) {
        if (!settings.enabled()) {
            return false;
        }
        if (registry.readOnly()) {
            LOG.info("garbage collection: off while storage.maintenance.readonly is enabled");
            return false;
        }
        Duration delay = UploadPurgeTask.firstDelay(settings.interval(), random);
        maintenance.schedule(NAME, delay, settings.interval(), new GarbageCollectTask(registry, settings, metrics));
        LOG.info("garbage collection: every {}, keeping what is younger than {}{}{}, the first in {}s",
                settings.interval(), settings.gcDelay(), settings.deleteUntagged() ? ", deleting untagged manifests"
                        : "", settings.dryRun() ? " (dry run: nothing deleted)" : "", delay.toSeconds());
        return true;
    }

    @Override
    public void run() {
        try {
            GcReport report = registry.collectGarbage(settings.options());
            metrics.recordGc(report);
            // MarkSweep logs the summary; the deletions themselves only at debug (there may be thousands).
            if (LOG.isDebugEnabled()) {
                report.manifestsDeleted().forEach(m -> LOG.debug("garbage collection: {} manifest {}@{}",
                        report.dryRun() ? "would delete" : "deleted", m.repository(), m.digest()));
                report.blobsDeleted().forEach(b -> LOG.debug("garbage collection: {} blob {} ({} bytes)",
                        report.dryRun() ? "would delete" : "deleted", b.digest(), b.size()));
            }
        } catch (IllegalStateException running) {
            LOG.info("garbage collection: skipped, {}", Failures.describe(running));
        } catch (RegistryException e) {
            metrics.recordGcFailure();
            LOG.warn("garbage collection failed, nothing more deleted this time: {}", Failures.describe(e));
        }
    }
}
