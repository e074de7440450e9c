package dev.berth.registry.repository;

import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Page;
import dev.berth.registry.model.Tag;
import java.util.List;
import java.util.Optional;

/** The tags of one repository: listed in lexical order with {@code n}/{@code last} paging. Thread-safe. */
public interface Tags {

    /**
     * Every tag, sorted. NAME_UNKNOWN when the repository does not exist (see {@link Repository#exists()}: a folder
     * that only holds nested repositories is not a repository).
     */
    default List<Tag> list() {
        return list(Integer.MAX_VALUE, (String) null).items();
    }

    /**
     * Up to {@code n} tags that sort after {@code last} (null: from the start). NAME_UNKNOWN when the repository does
     * not exist.
     */
    default Page<Tag> list(int n, Tag last) {
        return list(n, last == null ? null : last.value());
    }

    /**
     * As {@link #list(int, Tag)}, with {@code last} as the client sent it: it need not be a tag that exists, or a
     * valid tag at all, only text to sort after.
     */
    Page<Tag> list(int n, String last);

    /** The digest a tag points at. */
    Optional<Digest> get(Tag tag);

    /**
     * Removes a tag; the manifest stays. MANIFEST_UNKNOWN when there is no such tag; UNSUPPORTED when deletes are
     * disabled or the registry is read-only; DENIED when the tag is immutable ({@link dev.berth.registry.policy.ImmutableTags ImmutableTags}).
     */
    void delete(Tag tag);
}
