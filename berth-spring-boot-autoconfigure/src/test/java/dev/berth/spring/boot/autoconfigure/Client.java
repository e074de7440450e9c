package dev.berth.spring.boot.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/** A plain HTTP client for the registry's API, with or without Basic credentials. */
final class Client {
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String authorization;

    private Client(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    static Client at(int port) {
        return new Client("http://127.0.0.1:" + port, null);
    }

    Client as(String user, String password) {
        return new Client(base, "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    Client bearer(String token) {
        return new Client(base, "Bearer " + token);
    }

    HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    /** A monolithic blob upload: {@code POST /v2/<name>/blobs/uploads/?digest=...} with the bytes. */
    HttpResponse<byte[]> pushBlob(String repository, byte[] blob) throws IOException, InterruptedException {
        return send(request("/v2/" + repository + "/blobs/uploads/?digest=" + digest(blob))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(blob)));
    }

    static String digest(byte[] blob) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
