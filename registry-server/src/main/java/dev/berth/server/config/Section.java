package dev.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.registry.spi.Parameters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A part of the configuration tree, read by typed getters that name the key in every error, and that record which
 * keys were read so that the rest can be reported as unknown.
 */
final class Section {
    private final String path;
    private final JsonNode node;
    private final Set<String> read;
    private final Set<String> readWhole;
    private final List<String> warnings;

    /**
     * The root of a configuration tree; the sections under it share its record of what was read and its warnings.
     */
    Section(JsonNode root, Set<String> read, Set<String> readWhole, List<String> warnings) {
        this("", root, read, readWhole, warnings);
    }

    private Section(String path, JsonNode node, Set<String> read, Set<String> readWhole, List<String> warnings) {
        this.path = path;
        this.node = node == null || node.isNull() ? MissingNode.getInstance() : node;
        this.read = read;
        this.readWhole = readWhole;
        this.warnings = warnings;
        if (!this.node.isMissingNode() && !this.node.isObject()) {
            throw new ConfigException(path, "must be a mapping of keys, not " + describe(this.node));
        }
    }

    String path() {
        return path;
    }

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean present() {
        return !node.isMissingNode();
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    List<String> names() {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private JsonNode value(String name) {
        read.add(key(name));
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    Section section(String name) {
        return new Section(key(name), value(name), read, readWhole, warnings);
    }

    Optional<String> string(String name) {
        return scalar(name, "a string");
    }

    /**
     * The text of a single value (a string, number or boolean, as YAML may type what is meant as text); a map or a
     * list where a value belongs is refused, naming the key and what was {@code expected}, rather than read as an
     * empty text or as {@code {a=b}}.
     */
    private Optional<String> scalar(String name, String expected) {
        JsonNode v = value(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isValueNode()) {
            throw new ConfigException(key(name), "expected " + expected + ", found " + describe(v));
        }
        return Optional.of(v.asText());
    }

    String string(String name, String fallback) {
        return string(name).orElse(fallback);
    }

    boolean bool(String name, boolean fallback) {
        Optional<String> text = scalar(name, "true or false");
        if (text.isEmpty()) {
            return fallback;
        }
        return switch (text.get().trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(key(name), "must be true or false, not '" + text.get() + "'");
        };
    }

    int integer(String name, int fallback, int min, int max) {
        return (int) whole(name, fallback, min, max);
    }

    long whole(String name, long fallback, long min, long max) {
        Optional<String> s = scalar(name, "a whole number");
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            long i = Long.parseLong(s.get().trim());
            if (i < min || i > max) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new ConfigException(key(name), "must be a whole number from " + min + " to " + max + ", not '"
                    + s.get() + "'");
        }
    }

    Duration duration(String name, Duration fallback) {
        return scalar(name, "a duration such as 30s").map(s -> {
            try {
                return Parameters.parseDuration(s);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key(name), e.getMessage());
            }
        }).orElse(fallback);
    }

    /** A list of values; a single value counts as a list of one. */
    List<String> strings(String name) {
        JsonNode v = value(name);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.isValueNode()) {
            out.add(v.asText());
            return out;
        }
        if (!v.isArray()) {
            throw new ConfigException(key(name), "must be a list, not " + describe(v));
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (item == null || item.isNull()) {
                throw new ConfigException(key(name) + "." + i, "expected a string, found nothing");
            }
            if (!item.isValueNode()) {
                throw new ConfigException(key(name) + "." + i, "expected a string, found " + describe(item));
            }
            out.add(item.asText());
        }
        return out;
    }

    /**
     * A list of mappings, each as a section whose path is {@code key[i]}; absent: an empty list. Unknown keys inside
     * the items are not reported by {@link #unread}, so callers check them with {@link #onlyKeys}.
     */
    List<Section> sections(String name) {
        JsonNode v = value(name);
        readWhole.add(key(name));
        List<Section> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new ConfigException(key(name), "must be a list of mappings, not " + describe(v));
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (item == null || !item.isObject()) {
                throw new ConfigException(key(name) + "[" + i + "]", "must be a mapping, not "
                        + (item == null ? "nothing" : describe(item)));
            }
            out.add(new Section(key(name) + "[" + i + "]", item, read, readWhole, warnings));
        }
        return out;
    }

    /** Adds a warning to the configuration's (a setting that is ignored, or risky). */
    void warn(String warning) {
        warnings.add(warning);
    }

    /**
     * Warns about each key of this section other than {@code known}. List items are read whole, so their unknown
     * keys are reported here, as warnings like every unknown key.
     */
    void warnUnknown(Set<String> known) {
        for (String name : names()) {
            if (!known.contains(name)) {
                warn(key(name) + ": unknown key, ignored");
            }
        }
    }

    /** A list of glob patterns that must hold at least one, none of them empty. */
    List<String> patterns(String name) {
        List<String> patterns = strings(name);
        if (patterns.isEmpty()) {
            throw new ConfigException(key(name), "missing; give at least one pattern");
        }
        for (String p : patterns) {
            if (p.isBlank()) {
                throw new ConfigException(key(name), "an empty pattern");
            }
        }
        return patterns;
    }

    /** Refuses, naming the key, any key of this section other than {@code allowed}. */
    void onlyKeys(String... allowed) {
        List<String> known = List.of(allowed);
        for (String name : names()) {
            if (!known.contains(name)) {
                throw new ConfigException(key(name), "unknown key (" + String.join(", ", known) + ")");
            }
        }
    }

    /** The whole subtree as plain Java values (a plugin's section, handed over as it is). */
    Map<String, Object> plain(String name) {
        JsonNode v = value(name);
        readWhole.add(key(name));
        if (v == null) {
            return new LinkedHashMap<>();
        }
        if (!v.isObject()) {
            throw new ConfigException(key(name), "must be a mapping of parameters, not " + describe(v));
        }
        return Yaml.plain((ObjectNode) v);
    }

    /** Marks every key under this one as read (a section that is known but handled elsewhere). */
    void readAll(String name) {
        value(name);
        readWhole.add(key(name));
    }

    static String describe(JsonNode v) {
        if (v.isObject()) {
            return "a map";
        }
        if (v.isArray()) {
            return "a list";
        }
        return "'" + v.asText() + "'";
    }

    /** The dotted paths under {@code root} that no getter read. */
    static List<String> unread(JsonNode root, Set<String> read, Set<String> readWhole) {
        List<String> out = new ArrayList<>();
        collect("", root, read, readWhole, out);
        return out;
    }

    private static void collect(String path, JsonNode node, Set<String> read, Set<String> readWhole,
            List<String> out) {
        if (!node.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            if (readWhole.contains(p)) {
                continue;
            }
            if (!read.contains(p)) {
                out.add(p);
            } else {
                collect(p, e.getValue(), read, readWhole, out);
            }
        }
    }
}
