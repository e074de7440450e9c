package dev.berth.registry.spi.cache;

/** A cache could not answer (down, slow, garbage). The registry then reads storage; the client never sees it. */
public class CacheException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CacheException(String message) {
        super(message);
    }

    public CacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
