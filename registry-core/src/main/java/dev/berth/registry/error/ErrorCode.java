package dev.berth.registry.error;

/**
 * The error codes of the OCI Distribution Spec (and the Docker Registry v2 API), each with the HTTP status a
 * registry answers it with. The status belongs to the code: no call site chooses a status of its own. The code a
 * client reads in the error body is {@link #value()}: the constant's name, except where one spec code is answered with
 * two statuses ({@link #UNSUPPORTED} and {@link #UNSUPPORTED_PARAMETERS}).
 */
public enum ErrorCode {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(400, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    TAG_INVALID(400, "manifest tag did not match URI"),
    /** Not in the OCI table, but what distribution answers an out-of-order chunk with, and what the spec's 416 means. */
    RANGE_INVALID(416, "invalid content range"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    /** The operation itself is refused here (deletes disabled, a read-only registry, a method the URL does not take). */
    UNSUPPORTED(405, "the operation is unsupported"),
    /**
     * The spec's UNSUPPORTED ("a missing implementation or invalid set of parameters") for a request whose method the
     * resource takes but whose parameters are not supported: a digest algorithm other than sha256 and sha512, a
     * malformed query string. 400, as the OCI conformance suite expects UNSUPPORTED with; never 405, which would tell
     * the client that the method itself is refused.
     */
    UNSUPPORTED_PARAMETERS(400, "UNSUPPORTED", "the operation is unsupported"),
    /** distribution's code (not in the OCI table) for an {@code n} of a listing that is not a non-negative integer. */
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
    TOOMANYREQUESTS(429, "too many requests"),
    /** A body over the registry's limit (a manifest over 4 MiB, say). */
    PAYLOAD_TOO_LARGE(413, "payload too large"),
    /** No such endpoint: the path is not one of the API's. */
    NOT_FOUND(404, "no such endpoint"),
    /** The registry failed for a reason that is not the client's; details are in the server's log only. */
    UNKNOWN(500, "unknown error"),
    /** The registry could not do what was asked for a reason of its own (storage unreachable, say). */
    UNAVAILABLE(503, "service unavailable");

    private final int httpStatus;
    private final String value;
    private final String message;

    ErrorCode(int httpStatus, String message) {
        this(httpStatus, null, message);
    }

    ErrorCode(int httpStatus, String value, String message) {
        this.httpStatus = httpStatus;
        this.value = value;
        this.message = message;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The code as the error body spells it ({@code "code": "MANIFEST_UNKNOWN"}): the name, unless said otherwise. */
    public String value() {
        return value != null ? value : name();
    }

    /** The generic message of the code, as the spec words it; the specifics go in {@link RegistryException#detail()}. */
    public String message() {
        return message;
    }
}
