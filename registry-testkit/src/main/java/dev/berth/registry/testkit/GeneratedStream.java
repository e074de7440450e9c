package dev.berth.registry.testkit;

import java.io.InputStream;

/**
 * A large stream made on the fly from a repeated pattern, so that tests and benchmarks can push gigabytes without
 * holding them. {@link #next(long)} turns it into consecutive chunks that share one position.
 */
public final class GeneratedStream extends InputStream {
    private final byte[] pattern;
    private final long size;
    private long position;
    private long limit;

    public GeneratedStream(byte[] pattern, long size) {
        if (pattern.length == 0) {
            throw new IllegalArgumentException("pattern is empty");
        }
        this.pattern = pattern;
        this.size = size;
        this.limit = size;
    }

    public long size() {
        return size;
    }

    /** The next {@code n} bytes, as this same stream ending there (for chunked uploads). */
    public GeneratedStream next(long n) {
        limit = Math.min(size, position + n);
        return this;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position >= limit) {
            return -1;
        }
        int at = (int) (position % pattern.length);
        int n = (int) Math.min(Math.min(len, pattern.length - at), limit - position);
        System.arraycopy(pattern, at, b, off, n);
        position += n;
        return n;
    }
}
