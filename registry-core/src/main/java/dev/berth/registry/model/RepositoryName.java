package dev.berth.registry.model;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A repository name such as {@code library/alpine}: slash-separated components of lower-case letters and digits
 * joined by {@code .}, {@code _}, {@code __} or dashes, at most 255 characters. No component can be {@code .} or
 * {@code ..}, so a name is always safe to use as a storage path.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {
    public static final int MAX_LENGTH = 255;

    private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern GRAMMAR = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");

    public RepositoryName {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "repository name is empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw new RegistryException(ErrorCode.NAME_INVALID,
                    "repository name is " + value.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
        }
        if (!GRAMMAR.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name '" + Digest.abbreviate(value)
                    + "': components of a-z and 0-9 separated by '/', joined inside by '.', '_', '__' or '-'");
        }
    }

    public static RepositoryName parse(String value) {
        return new RepositoryName(value);
    }

    /** True when {@code s} is a valid repository name, without building an exception. */
    public static boolean isValid(String s) {
        return s != null && !s.isEmpty() && s.length() <= MAX_LENGTH && GRAMMAR.matcher(s).matches();
    }

    @Override
    public int compareTo(RepositoryName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
