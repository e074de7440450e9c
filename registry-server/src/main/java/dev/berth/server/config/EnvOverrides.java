package dev.berth.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.berth.registry.diagnostics.Failures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 *
 * <p>{@code REGISTRY_<KEY>_FILE=/run/secrets/x} sets {@code <KEY>} to the content of that file, as the official
 * database images do, so that secrets mounted as files (Docker and Kubernetes secrets) need not be in the environment:
 * the content is the value as text (not parsed as YAML), without its trailing line breaks. A file that cannot be read
 * is an error naming the variable; setting both {@code REGISTRY_<KEY>} and {@code REGISTRY_<KEY>_FILE} is an error too.
 * Values read this way are secrets: {@link ConfigLoader} masks them in every message it produces.
 */
final class EnvOverrides {
    static final String PREFIX = "REGISTRY_";

    /** The suffix of a variable whose value is the path of a file holding the key's value. */
    static final String FILE_SUFFIX = "_FILE";

    /** Variables that configure the launcher, not a key. */
    private static final Set<String> NOT_KEYS = Set.of("REGISTRY_CONFIGURATION_PATH");

    private EnvOverrides() {
    }

    /**
     * Applies the overrides in {@code env} to {@code root}; returns the dotted keys set, for the startup log.
     *
     * @param secrets receives each value read from a file ({@code REGISTRY_<KEY>_FILE}), mapped to that variable's
     *     name, so that messages can mask it
     */
    static List<String> apply(ObjectNode root, Map<String, String> env, Map<String, String> secrets) {
        Map<String, String> sorted = new TreeMap<>();
        Map<String, String> fromFiles = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!isKey(name)) {
                continue;
            }
            if (name.endsWith(FILE_SUFFIX) && name.length() > PREFIX.length() + FILE_SUFFIX.length()) {
                String target = name.substring(0, name.length() - FILE_SUFFIX.length());
                String key = dotted(target);
                if (env.containsKey(target)) {
                    throw new ConfigException(key, "both " + target + " and " + name + " are set; set only one");
                }
                String value = readSecret(name, key, e.getValue());
                fromFiles.put(target, name);
                if (!value.isEmpty()) {
                    secrets.put(value, name);
                }
                sorted.put(target, value);
            } else {
                sorted.put(name, e.getValue());
            }
        }
        List<String> applied = new ArrayList<>();
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            String name = e.getKey();
            String[] parts = name.substring(PREFIX.length()).toLowerCase(Locale.ROOT).split("_");
            String key = String.join(".", parts);
            for (String part : parts) {
                if (part.isEmpty()) {
                    throw new ConfigException(key, "environment variable " + name + " has an empty part");
                }
            }
            JsonNode value = fromFiles.containsKey(name) ? TextNode.valueOf(e.getValue())
                    : Yaml.parseValue(key, e.getValue());
            set(root, parts, value, key);
            applied.add(key);
        }
        return applied;
    }

    /** The values of the {@code REGISTRY_<KEY>_FILE} files that can be read, mapped to their variables. */
    static Map<String, String> readableSecrets(Map<String, String> env) {
        Map<String, String> secrets = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (isKey(name) && name.endsWith(FILE_SUFFIX) && name.length() > PREFIX.length() + FILE_SUFFIX.length()) {
                try {
                    String value = readSecret(name, name, e.getValue());
                    if (!value.isEmpty()) {
                        secrets.put(value, name);
                    }
                } catch (ConfigException unreadable) {
                    // loading the configuration reported it
                }
            }
        }
        return secrets;
    }

    private static boolean isKey(String name) {
        return name.startsWith(PREFIX) && name.length() > PREFIX.length() && !NOT_KEYS.contains(name);
    }

    private static String dotted(String name) {
        return name.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** The content of the file {@code path} names, without trailing line breaks; never part of a message. */
    private static String readSecret(String variable, String key, String path) {
        if (path.isBlank()) {
            throw new ConfigException(key, "environment variable " + variable + " is empty; it must name a file");
        }
        try {
            String text = Files.readString(Path.of(path), StandardCharsets.UTF_8);
            int end = text.length();
            while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
                end--;
            }
            return text.substring(0, end);
        } catch (NoSuchFileException e) {
            throw new ConfigException(key, "environment variable " + variable + " names " + path
                    + ", which does not exist");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key, "environment variable " + variable + " names " + path
                    + ", which cannot be read: " + Failures.describe(e));
        }
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
