package dev.berth.cache.redis;

import java.io.IOException;
import java.net.ServerSocket;
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

    RedisCacheConfig config() {
        return RedisCacheConfig.of("127.0.0.1", port).withPassword(password);
    }

    @Override
    public void close() {
        stop();
    }
}
