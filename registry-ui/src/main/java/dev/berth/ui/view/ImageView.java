package dev.berth.ui.view;

import java.util.List;

/**
 * One manifest: an index (its platforms), an image (layers, config, history) or an artifact, with its referrers.
 *
 * @param kind {@code index}, {@code image} or {@code artifact}
 */
public record ImageView(Chrome chrome, String repository, String repositoryHref, String reference, String digest,
        String mediaType, String artifactType, String kind, String size, String pull, List<PlatformRow> platforms,
        List<Field> annotations, List<LayerRow> layers, List<Field> config, List<Field> labels,
        List<HistoryRow> history, String rawJson, String rawHref, List<ReferrerGroup> referrers, String configRawJson) {

    public record PlatformRow(String platform, String href, String digest, String mediaType, String size) {
    }

    public record LayerRow(String mediaType, String digest, String size, long bytes) {
    }

    public record Field(String name, String value) {
    }

    /** A step of the build: its command, when it ran, and the size of the layer it made ({@code empty}: none). */
    public record HistoryRow(String created, String step, String size, boolean empty) {
    }

    /** The referrers of one artifact type. */
    public record ReferrerGroup(String artifactType, List<ReferrerNode> nodes) {
    }

    /** A referrer, with the referrers that point at it in turn. */
    public record ReferrerNode(String digest, String shortDigest, String href, String rawHref, String size,
            String created, List<ReferrerGroup> children) {
    }
}
