package dev.berth.server.config;

/** A configuration that cannot be served: the message names the key (as a dotted path) and what is wrong with it. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    /** The dotted path of the offending key, e.g. {@code http.tls.key}. */
    public String key() {
        return key;
    }
}
