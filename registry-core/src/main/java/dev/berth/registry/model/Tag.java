package dev.berth.registry.model;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import java.util.Objects;
import java.util.regex.Pattern;

/** A tag such as {@code 3.20} or {@code latest}: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}. */
public record Tag(String value) implements Comparable<Tag> {
    private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    public Tag {
        Objects.requireNonNull(value, "value");
        if (!GRAMMAR.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.TAG_INVALID, "invalid tag '" + Digest.abbreviate(value)
                    + "': 1 to 128 of a-z, A-Z, 0-9, '_', '.', '-', not starting with '.' or '-'");
        }
    }

    public static Tag parse(String value) {
        return new Tag(value);
    }

    public static boolean isValid(String s) {
        return s != null && GRAMMAR.matcher(s).matches();
    }

    @Override
    public int compareTo(Tag o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
