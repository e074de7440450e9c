package dev.berth.cache.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import redis.embedded.RedisServer;

/** A real redis-server (embedded-redis ships 7.0.15) on a free local port, that tests can stop and start again. */
final class RedisProcess implements AutoCloseable {
    final int port;
    private final String password;
    private RedisServer server;

    RedisProcess(String password) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        this.password = password;
        start();
    }

    void start() {
        var builder = RedisServer.builder().port(port).setting("bind 127.0.0.1").setting("save \"\"")
                .setting("appendonly no");
        if (password != null) {
            builder.setting("requirepass " + password);
        }
        server = builder.build();
        server.start();
    }

    void stop() {
        if (server != null && server.isActive()) {
            server.stop();
        }
    }

    /**
     * This Redis, with timeouts no loaded machine reaches (the defaults, 200 ms, are for production: a test whose call
     * took longer would count an error that did not happen). A stopped Redis still fails at once: connection refused.
     */
    RedisCacheConfig config() {
        return RedisCacheConfig.parse(generous(port)).withPassword(password);
    }

    /** The {@code redis} cache's parameters for this Redis, with the timeouts of {@link #config()}. */
    static Map<String, Object> generous(int port) {
        return Map.of("addr", "127.0.0.1:" + port, "dialtimeout", "30s", "readtimeout", "30s",
                "writetimeout", "30s");
    }

    @Override
    public void close() {
        stop();
    }
}
