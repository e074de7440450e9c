package dev.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * distribution's environment overrides: {@code REGISTRY_} + the path of a key in upper case, parts joined by
 * {@code _} ({@code REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY}, {@code REGISTRY_HTTP_TLS_CLIENTCAS_0}). Values are
 * parsed as YAML, so {@code true}, {@code 5000} and {@code [a, b]} keep their types. Variables are applied in sorted
 * order over the file's tree, so a variable always wins over the file, and a longer path over the shorter one it is
 * under. Keys are matched without regard to case; a numeric part indexes a list.
 */
final class EnvOverrides {
    static final String PREFIX = "REGISTRY_";

    /** Variables that configure the launcher, not a key. */
    private static final Set<String> NOT_KEYS = Set.of("REGISTRY_CONFIGURATION_PATH");

    private EnvOverrides() {
    }

    /** Applies the overrides in {@code env} to {@code root}; returns the dotted keys set, for the startup log. */
    static List<String> apply(ObjectNode root, Map<String, String> env) {
        List<String> applied = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(PREFIX) || name.length() == PREFIX.length() || NOT_KEYS.contains(name)) {
                continue;
            }
            String[] parts = name.substring(PREFIX.length()).toLowerCase(Locale.ROOT).split("_");
            String key = String.join(".", parts);
            for (String part : parts) {
                if (part.isEmpty()) {
                    throw new ConfigException(key, "environment variable " + name + " has an empty part");
                }
            }
            JsonNode value = Yaml.parseValue(key, e.getValue());
            set(root, parts, value, key);
            applied.add(key);
        }
        return applied;
    }

    private static void set(ObjectNode root, String[] parts, JsonNode value, String key) {
        JsonNode node = root;
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            String part = parts[i];
            if (node instanceof ObjectNode object) {
                String existing = matchingKey(object, part);
                String field = existing != null ? existing : part;
                if (last) {
                    JsonNode old = object.get(field);
                    if (old instanceof ObjectNode oldObject && value.isTextual() && field.equals("storage")) {
                        replaceStorageDriver(oldObject, value.asText());
                    } else {
                        object.set(field, value);
                    }
                    return;
                }
                JsonNode child = object.get(field);
                if (child == null || child.isNull() || child.isValueNode()) {
                    child = parts[i + 1].matches("\\d+") ? object.putArray(field) : object.putObject(field);
                }
                node = child;
            } else if (node instanceof ArrayNode array) {
                int index = index(part, key);
                while (array.size() <= index) {
                    array.add(NullNode.getInstance());
                }
                if (last) {
                    array.set(index, value);
                    return;
                }
                JsonNode child = array.get(index);
                if (child == null || child.isNull() || child.isValueNode()) {
                    child = parts[i + 1].matches("\\d+") ? JsonNodeFactory.instance.arrayNode()
                            : JsonNodeFactory.instance.objectNode();
                    array.set(index, child);
                }
                node = child;
            } else {
                throw new ConfigException(key, "cannot be set from the environment: its parent is a value");
            }
        }
    }

    /** {@code REGISTRY_STORAGE=s3}: as in distribution, the driver changes and the other sections stay. */
    private static void replaceStorageDriver(ObjectNode storage, String driver) {
        for (Iterator<String> it = storage.fieldNames(); it.hasNext(); ) {
            if (!StorageBinder.NOT_DRIVERS.contains(it.next())) {
                it.remove();
            }
        }
        storage.putObject(driver);
    }

    private static int index(String part, String key) {
        try {
            return Integer.parseInt(part);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "'" + part + "' must be a list index here");
        }
    }

    private static String matchingKey(ObjectNode object, String part) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equalsIgnoreCase(part)) {
                return k;
            }
        }
        return null;
    }
}
