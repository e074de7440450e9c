package dev.berth.registry.spi;

import java.util.Objects;

/**
 * A plugin parameter that is missing, unknown or wrong. The message is {@code <plugin>.<key>: <problem>}
 * ({@code storage.s3.chunksize: expected a whole number of bytes, found 'lots'}), so that it names the plugin and the
 * key as a configuration file spells them; a server can also take the parts apart to report them as its own keys.
 */
public final class ParameterException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String plugin;
    private final String key;
    private final String problem;

    /**
     * @param plugin  the plugin's name as {@link Parameters#of} got it, e.g. {@code storage.s3}
     * @param key     the key within the plugin's parameters, dotted for nested sections ({@code pool.maxidle});
     *                empty for the parameters as a whole
     * @param problem what is wrong, e.g. {@code required}
     */
    public ParameterException(String plugin, String key, String problem) {
        super((Objects.requireNonNull(key, "key").isEmpty() ? plugin : plugin + "." + key) + ": " + problem);
        this.plugin = Objects.requireNonNull(plugin, "plugin");
        this.key = key;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    /** The plugin's name, e.g. {@code storage.s3}. */
    public String plugin() {
        return plugin;
    }

    /** The key within the plugin's parameters ({@code pool.maxidle}); empty for the parameters as a whole. */
    public String key() {
        return key;
    }

    /** The plugin's name and the key, dotted: {@code redis.pool.maxidle}. */
    public String path() {
        return key.isEmpty() ? plugin : plugin + "." + key;
    }

    /** What is wrong, without the path. */
    public String problem() {
        return problem;
    }
}
