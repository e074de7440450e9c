package dev.berth.registry.spi.auth;

import java.util.Locale;

/** What a caller may do on a repository, with the words Docker token scopes use for them. */
public enum Action {
    PULL, PUSH, DELETE;

    /** The scope word: {@code pull}, {@code push}, {@code delete}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action a scope word names ({@code pull}, {@code push}, {@code delete}); case-sensitive as in scopes. */
    public static Action parse(String word) {
        for (Action a : values()) {
            if (a.word().equals(word)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown action '" + word + "' (pull, push or delete)");
    }
}
