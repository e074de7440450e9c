package dev.berth.server.config;

import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.spi.ParameterException;
import java.util.Map;

/** A configuration that cannot be served: the message names the key (as a dotted path) and what is wrong with it. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String problem;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
        this.problem = problem;
    }

    /** This error with each secret value (a key of {@code secrets}) replaced by the variable it came from. */
    ConfigException masking(Map<String, String> secrets) {
        String masked = ConfigLoader.maskValues(problem, secrets);
        if (masked.equals(problem)) {
            return this;
        }
        ConfigException e = new ConfigException(key, masked);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /**
     * A plugin's refusal of its parameters as a configuration error: at the key it names when it says which (a
     * {@link ParameterException}), else at the section.
     *
     * @param section where the plugin's parameters sit in the configuration, e.g. {@code storage.s3}
     */
    public static ConfigException fromPlugin(String section, IllegalArgumentException e) {
        if (e instanceof ParameterException p) {
            return new ConfigException(p.key().isEmpty() ? section : section + "." + p.key(), p.problem());
        }
        return new ConfigException(section, Failures.describe(e));
    }

    /** The dotted path of the offending key, e.g. {@code http.tls.key}. */
    public String key() {
        return key;
    }
}
