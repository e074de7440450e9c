package dev.berth.registry.servlet;

import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.registry.Repository;
import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET|HEAD|DELETE /v2/<name>/blobs/<digest>}, with single byte ranges; a GET is redirected to the storage when
 * the driver offers a URL and {@link ServletOptions#redirects()} is on.
 */
final class BlobEndpoints {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final int COPY_BUFFER = 256 << 10;

    private BlobEndpoints() {
    }

    static void get(Exchange x, Repository repo, Digest digest) throws IOException {
        Descriptor d = repo.blobs().stat(digest).orElseThrow(() -> new RegistryException(ErrorCode.BLOB_UNKNOWN,
                "blob " + digest + " is not in repository " + repo.name()));
        if (!x.isHead() && x.options.redirects()) {
            java.util.Optional<java.net.URI> direct = repo.blobs().redirectUrl(digest, ServletOptions.REDIRECT_VALIDITY);
            if (direct.isPresent()) {
                // the client fetches the bytes (and any Range) from the storage itself
                x.response.setHeader("Docker-Content-Digest", digest.toString());
                x.response.setHeader("Location", direct.get().toString());
                x.response.setStatus(307);
                Events.blobPulled(x, repo, d);
                return;
            }
        }
        long size = d.size();
        long start = 0;
        long end = size - 1;
        String range = x.request.getHeader("Range");
        boolean partial = false;
        if (range != null) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                try {
                    if (m.group(1).isEmpty()) { // suffix: the last N bytes
                        start = Math.max(0, size - Long.parseLong(m.group(2)));
                    } else {
                        start = Long.parseLong(m.group(1));
                        end = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                    }
                } catch (NumberFormatException e) {
                    start = size; // absurd numbers are unsatisfiable
                }
                if (start >= size || start > end) {
                    x.response.setHeader("Content-Range", "bytes */" + size);
                    throw new RegistryException(ErrorCode.RANGE_INVALID,
                            "range " + range + " is outside the blob's " + size + " bytes");
                }
                partial = true;
            }
            // A Range we do not understand (several ranges, other units) is ignored: the whole blob is served.
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
        if (x.isHead() || length == 0) {
            Events.blobPulled(x, repo, d);
            return;
        }
        if (x.async()) {
            java.util.Optional<java.nio.channels.FileChannel> file = repo.blobs().openFile(digest);
            if (file.isPresent()) {
                boolean started = false;
                try {
                    started = AsyncDownload.startFromFile(x, file.get(), start, length,
                            () -> Events.blobPulled(x, repo, d));
                } finally {
                    if (!started) {
                        file.get().close();
                    }
                }
                if (started) {
                    return;
                }
            }
        }
        InputStream in = repo.blobs().open(digest, start);
        if (x.async()) {
            try {
                AsyncDownload.start(x, in, length, () -> Events.blobPulled(x, repo, d));
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
        Events.blobPulled(x, repo, d);
    }

    static void delete(Exchange x, Repository repo, Digest digest) {
        repo.blobs().delete(digest);
        Events.blobDeleted(x, repo, digest);
        x.empty(202);
    }
}
