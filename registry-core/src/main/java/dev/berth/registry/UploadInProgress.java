package dev.berth.registry;

import dev.berth.registry.model.RepositoryName;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A blob upload that was started and has been neither finished nor cancelled (nor purged) yet, as
 * {@link Registry#uploadsInProgress()} found it in storage.
 *
 * @param repository the repository it is pushed to
 * @param id         its upload id (the folder name under {@code _uploads})
 * @param startedAt  when it started: its {@code startedat} file, else the modification time of its data or folder;
 *                   null when none of them tells (a driver that keeps no modification times)
 * @param bytes      the bytes received so far (0 before the first chunk)
 */
public record UploadInProgress(RepositoryName repository, String id, Instant startedAt, long bytes) {

    public UploadInProgress {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(id, "id");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative: " + bytes);
        }
    }

    /** {@link #startedAt()}, absent when unknown. */
    public Optional<Instant> started() {
        return Optional.ofNullable(startedAt);
    }
}
