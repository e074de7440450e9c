package dev.berth.server.config;

import java.util.Locale;
import java.util.Set;

/** Binds {@code log}. */
final class LogBinder {
    private LogBinder() {
    }

    /** {@code log}: level, formatter, access log; extra fields and hooks are warned about and ignored. */
    static ServerConfig.Log bind(Section s) {
        String level = s.string("level", "info").toLowerCase(Locale.ROOT);
        if (!Set.of("error", "warn", "info", "debug", "trace").contains(level)) {
            throw new ConfigException(s.key("level"), "must be one of error, warn, info, debug, not '" + level + "'");
        }
        String formatter = s.string("formatter", "text").toLowerCase(Locale.ROOT);
        if (!Set.of("text", "json", "logstash").contains(formatter)) {
            throw new ConfigException(s.key("formatter"), "must be text, json or logstash, not '" + formatter + "'");
        }
        boolean accessLog = !s.section("accesslog").bool("disabled", false);
        if (s.has("fields")) {
            s.warn(s.key("fields") + ": extra log fields are not supported yet; ignored");
        }
        s.readAll("fields");
        if (s.has("hooks")) {
            s.warn(s.key("hooks") + ": log hooks are not supported; ignored");
        }
        s.readAll("hooks");
        return new ServerConfig.Log(level, formatter.equals("logstash") ? "json" : formatter, accessLog);
    }
}
