package dev.berth.registry.servlet;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.repository.Repository;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET|HEAD|DELETE /v2/<name>/blobs/<digest>}, with single byte ranges; a GET is redirected to the storage when
 * the driver offers a URL and {@link ServletOptions#redirects()} is on.
 */
final class BlobEndpoints {
    /** One byte range; the unit is case-insensitive (RFC 9110 section 14.1), whitespace around the range is allowed. */
    private static final Pattern RANGE = Pattern.compile("(?i)bytes=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");
    private static final int COPY_BUFFER = 256 << 10;

    private BlobEndpoints() {
    }

    static void get(Exchange x, Repository repo, Digest digest) throws IOException {
        Descriptor d = repo.blobs().stat(digest).orElseThrow(() -> new RegistryException(ErrorCode.BLOB_UNKNOWN,
                "blob " + digest + " is not in repository " + repo.name()));
        if (!x.isHead() && x.options.redirects()) {
            Optional<URI> direct = repo.blobs().redirectUrl(digest, ServletOptions.REDIRECT_VALIDITY);
            if (direct.isPresent()) {
                // the client fetches the bytes (and any Range) from the storage itself
                x.response.setHeader("Docker-Content-Digest", digest.toString());
                x.response.setHeader("Location", direct.get().toString());
                x.response.setStatus(307);
                return;
            }
        }
        long size = d.size();
        long start = 0;
        long end = size - 1;
        boolean partial = false;
        String range = x.request.getHeader("Range");
        String ifRange = x.request.getHeader("If-Range");
        if (range != null && ifRange != null && !ifRange.trim().equals("\"" + digest + "\"")) {
            // RFC 9110 13.1.5: a validator that is not this blob's ETag (another entity tag, a weak one, or a date,
            // as a blob has no Last-Modified) asks for the whole blob when it changed, and it can only have changed
            range = null;
        }
        long[] satisfiable = range == null ? null : byteRange(range.trim(), size);
        if (satisfiable == UNSATISFIABLE) {
            x.response.setHeader("Content-Range", "bytes */" + size);
            throw new RegistryException(ErrorCode.RANGE_INVALID,
                    "range " + range + " is outside the blob's " + size + " bytes");
        }
        if (satisfiable != null) {
            start = satisfiable[0];
            end = satisfiable[1];
            partial = true;
        }
        HttpServletResponse r = x.response;
        r.setHeader("Docker-Content-Digest", digest.toString());
        r.setHeader("Accept-Ranges", "bytes");
        r.setHeader("ETag", "\"" + digest + "\"");
        r.setHeader("Cache-Control", "max-age=31536000");
        r.setContentType(d.mediaType());
        long length = Math.max(0, end - start + 1);
        r.setContentLengthLong(length);
        if (partial) {
            r.setStatus(206);
            r.setHeader("Content-Range", "bytes " + start + "-" + end + "/" + size);
        } else {
            r.setStatus(200);
        }
        if (x.isHead()) {
            return; // what the blob is, not a pull of it
        }
        if (length == 0) {
            repo.blobs().open(digest, 0).close(); // a pull all the same, of no bytes
            return;
        }
        // A file is asked for only when the container can send it: opening content is a pull, and one GET is one.
        if (x.async() && AsyncDownload.sendsFiles(x)) {
            Optional<FileChannel> file = repo.blobs().openFile(digest);
            if (file.isPresent()) {
                try {
                    AsyncDownload.startFromFile(x, file.get(), start, length, digest.toString(), size);
                } catch (IOException | RuntimeException e) {
                    file.get().close();
                    throw e;
                }
                return;
            }
        }
        InputStream in = repo.blobs().open(digest, start);
        if (x.async()) {
            try {
                AsyncDownload.start(x, in, length);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
            return;
        }
        try (in) {
            OutputStream out = r.getOutputStream();
            byte[] buffer = new byte[COPY_BUFFER];
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("blob " + digest + " ended early in storage");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    /** What {@link #byteRange} answers for a range that selects no byte of the blob (RFC 9110's unsatisfiable). */
    private static final long[] UNSATISFIABLE = new long[0];

    /**
     * The first and last byte a Range header selects of a blob of {@code size} bytes, per RFC 9110 section 14:
     * {@link #UNSATISFIABLE} when it selects none, and null when it is to be ignored and the whole blob served (a
     * header we do not take: several ranges, another unit; an invalid range such as {@code 5-2}; a suffix range of a
     * blob of no bytes, which RFC 9110 calls satisfiable although no byte can be sent). Positions are numbers of any
     * length: one past the end is the end, and one too large for a long is simply past the end.
     */
    private static long[] byteRange(String header, long size) {
        Matcher m = RANGE.matcher(header);
        if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()) {
            return null;
        }
        if (m.group(1).isEmpty()) { // a suffix: the last N bytes, or all of them when the blob is shorter
            long suffix = position(m.group(2));
            if (suffix == 0) {
                return UNSATISFIABLE;
            }
            return size == 0 ? null : new long[] {size - Math.min(suffix, size), size - 1};
        }
        long first = position(m.group(1));
        long last = m.group(2).isEmpty() ? Long.MAX_VALUE : position(m.group(2));
        if (last < first) {
            return null; // invalid, so ignored
        }
        if (first >= size) {
            return UNSATISFIABLE;
        }
        return new long[] {first, Math.min(last, size - 1)};
    }

    /** A byte position of the header (digits only), saturated at {@link Long#MAX_VALUE}. */
    private static long position(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException tooLarge) {
            return Long.MAX_VALUE;
        }
    }

    static void delete(Exchange x, Repository repo, Digest digest) {
        repo.blobs().delete(digest);
        x.empty(202);
    }
}
