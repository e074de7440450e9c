package dev.berth.server;

import dev.berth.registry.Registry;
import dev.berth.registry.UploadPurgeReport;
import dev.berth.server.config.ServerConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code storage.maintenance.uploadpurging}: purges the registry's abandoned uploads and logs what it did
 * (counts and bytes; never storage parameters). Scheduled on {@link Maintenance} by {@link #schedule}.
 */
final class UploadPurgeTask implements Runnable {
    static final String NAME = "upload purging";
    /**
     * The first purge waits a random time up to this (or up to the interval, when shorter): replicas restarted
     * together do not all walk storage at once, and a server that restarts often still purges soon after it starts.
     * Distribution waits up to 60 minutes; 10 is enough spread for a few replicas.
     */
    static final Duration MAX_JITTER = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(UploadPurgeTask.class);

    private final Registry registry;
    private final ServerConfig.UploadPurging settings;

    UploadPurgeTask(Registry registry, ServerConfig.UploadPurging settings) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Schedules purging as configured: nothing when it is disabled or the registry is read-only (a read-only
     * registry deletes nothing). Returns whether it was scheduled.
     */
    static boolean schedule(Maintenance maintenance, Registry registry, ServerConfig.UploadPurging settings,
            Random random) {
        if (!settings.enabled()) {
            LOG.info("upload purging: disabled (storage.maintenance.uploadpurging.enabled)");
            return false;
        }
        if (registry.readOnly()) {
            LOG.info("upload purging: off while storage.maintenance.readonly is enabled");
            return false;
        }
        Duration delay = firstDelay(settings.interval(), random);
        maintenance.schedule(NAME, delay, settings.interval(), new UploadPurgeTask(registry, settings));
        LOG.info("upload purging: uploads older than {} {}every {}, the first in {}s", settings.age(),
                settings.dryRun() ? "reported (dry run) " : "deleted ", settings.interval(), delay.toSeconds());
        return true;
    }

    /** A random delay from 0 up to {@link #MAX_JITTER}, or up to {@code interval} when that is shorter. */
    static Duration firstDelay(Duration interval, Random random) {
        long bound = Math.min(MAX_JITTER.toMillis(), interval.toMillis());
        return Duration.ofMillis(bound <= 0 ? 0 : (long) (random.nextDouble() * bound));
    }

    @Override
    public void run() {
        long start = System.nanoTime();
        UploadPurgeReport report = registry.purgeUploads(settings.age(), settings.dryRun());
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (report.dryRun()) {
            LOG.info("upload purging (dry run): would delete {} upload(s) older than {} ({} bytes); kept {},"
                    + " undated {}, failed {}; {} ms", report.count(), settings.age(), report.bytes(), report.kept(),
                    report.undated(), report.failed(), millis);
        } else {
            LOG.info("upload purging: deleted {} upload(s) older than {} ({} bytes) and {} incomplete storage"
                    + " write(s); kept {}, undated {}, failed {}; {} ms", report.count(), settings.age(),
                    report.bytes(), report.incompleteWritesAborted(), report.kept(), report.undated(), report.failed(),
                    millis);
        }
    }
}
