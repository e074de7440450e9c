package dev.berth.registry.model;

import java.util.Objects;
import java.util.Optional;

/** What a manifest URL names: a tag or a digest. A tag cannot contain ':', a digest always does. */
public sealed interface Reference permits Reference.ByTag, Reference.ByDigest {

    record ByTag(Tag tag) implements Reference {
        @Override
        public String toString() {
            return tag.toString();
        }
    }

    record ByDigest(Digest digest) implements Reference {
        @Override
        public String toString() {
            return digest.toString();
        }
    }

    static Reference of(Tag tag) {
        return new ByTag(tag);
    }

    static Reference of(Digest digest) {
        return new ByDigest(digest);
    }

    /** Parses a tag (TAG_INVALID when bad) or, when it has a ':', a digest (DIGEST_INVALID or UNSUPPORTED_PARAMETERS when bad). */
    static Reference parse(String text) {
        Objects.requireNonNull(text, "text");
        return text.indexOf(':') >= 0 ? new ByDigest(Digest.parse(text)) : new ByTag(Tag.parse(text));
    }

    default Optional<Tag> asTag() {
        return this instanceof ByTag t ? Optional.of(t.tag()) : Optional.empty();
    }

    default Optional<Digest> asDigest() {
        return this instanceof ByDigest d ? Optional.of(d.digest()) : Optional.empty();
    }
}
