package dev.berth.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.registry.diagnostics.Failures;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.proxy.Upstream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads distribution's config.yml ({@code version: 0.1}) and its {@code REGISTRY_...} environment overrides into a
 * {@link ServerConfig}: environment over file over defaults. A key Berth does not know is a warning, never fatal; a
 * missing required key or a bad value is a {@link ConfigException} naming the key. A section Berth knows but cannot
 * honour yet is a warning when ignoring it only costs speed or convenience (a cache, health checks), and an error when
 * ignoring it would serve something other than what was configured (a pull-through proxy): Berth never starts open
 * when the file asks for a closed registry.
 *
 * <p>This class reads the YAML, applies the overrides and hands each section to its binder ({@code LogBinder},
 * {@code StorageBinder}, {@code HttpBinder}, {@code AuthBinder}, {@code TagsBinder}, {@code ProxyBinder}, {@code UiBinder},
 * {@code RetentionBinder}, {@code NotificationsBinder}); what is left unread is reported as unknown.
 *
 * <p>Values read from files ({@code REGISTRY_<KEY>_FILE}, see {@code EnvOverrides}) are secrets: an error or warning
 * that would quote one names the variable instead.
 */
public final class ConfigLoader {
    private final Set<String> read = new HashSet<>();
    private final Set<String> readWhole = new HashSet<>();
    private final List<String> warnings = new ArrayList<>();

    private ConfigLoader() {
    }

    /** The configuration of {@code file} (null: none, the embedded default) with {@code env}'s overrides. */
    public static ServerConfig load(Path file, Map<String, String> env) {
        ObjectNode root;
        if (file == null) {
            root = JsonNodeFactory.instance.objectNode();
            root.put("version", "0.1");
        } else {
            root = readFile(file);
        }
        return apply(root, env, file == null);
    }

    /** The configuration of a YAML text, for tests and embedders. */
    public static ServerConfig parse(String yaml, Map<String, String> env) {
        return apply(readTree(yaml, "the configuration"), env, false);
    }

    private static ServerConfig apply(ObjectNode root, Map<String, String> env, boolean embeddedDefault) {
        Map<String, String> secrets = new HashMap<>();
        EnvOverrides.apply(root, env, secrets);
        ServerConfig config;
        try {
            config = new ConfigLoader().bind(root, embeddedDefault);
        } catch (ConfigException e) {
            throw e.masking(secrets);
        }
        if (secrets.isEmpty()) {
            return config;
        }
        return config.withWarnings(config.warnings().stream().map(w -> maskValues(w, secrets)).toList());
    }

    /**
     * {@code text} with each value read from a file ({@code REGISTRY_<KEY>_FILE}) in {@code env} replaced by the name
     * of its variable: for messages about the configuration that are printed after it was loaded (a storage driver
     * refusing its parameters). A file that cannot be read is left out (loading the configuration said so).
     */
    public static String mask(String text, Map<String, String> env) {
        return maskValues(text, EnvOverrides.readableSecrets(env));
    }

    /**
     * {@code err} with every line printed through {@link #mask}: for the commands that report, after loading, errors
     * whose text may hold a value read from a {@code _FILE} variable (a storage driver refusing its parameters).
     */
    public static PrintStream masking(PrintStream err, Map<String, String> env) {
        Map<String, String> secrets = EnvOverrides.readableSecrets(env);
        if (secrets.isEmpty()) {
            return err;
        }
        return new PrintStream(err, true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                err.println(maskValues(String.valueOf(line), secrets));
            }

            @Override
            public void print(String text) {
                err.print(maskValues(String.valueOf(text), secrets));
            }
        };
    }

    static String maskValues(String text, Map<String, String> secrets) {
        String out = text;
        // the longest first, so that a secret that contains another is replaced whole
        List<String> values = secrets.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        for (String value : values) {
            out = out.replace(value, "(the content of " + secrets.get(value) + ")");
        }
        return out;
    }

    private static ObjectNode readFile(Path file) {
        try {
            return readTree(Files.readString(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException("(file)", "configuration file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("(file)", "cannot read " + file + ": " + Failures.describe(e));
        }
    }

    private static ObjectNode readTree(String yaml, String what) {
        try {
            JsonNode node = Yaml.readTree(yaml);
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException("(file)", what + " must be a YAML mapping of keys");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new ConfigException("(file)", what + " is not valid YAML" + where + ": " + e.getOriginalMessage());
        }
    }

    /** Binds each section with its binder, in an order that puts the warnings in the file's usual order. */
    private ServerConfig bind(ObjectNode tree, boolean embeddedDefault) {
        Section root = new Section(tree, read, readWhole, warnings);
        String version = root.string("version").orElseThrow(() -> new ConfigException("version",
                "missing; distribution's configuration format starts with version: 0.1"));
        if (!version.equals("0.1")) {
            throw new ConfigException("version", "'" + version + "' is not supported; the format is version 0.1");
        }
        ServerConfig.Log log = LogBinder.bind(root.section("log"));
        ServerConfig.Storage storage = StorageBinder.bind(root.section("storage"), embeddedDefault);
        ServerConfig.Http http = HttpBinder.bind(root.section("http"));
        storage = StorageBinder.withCache(root, storage);
        unsupportedButHarmless(root, "health", "the debug port's /debug/health checks storage, the cache and the "
                + "upstreams on each request (results kept 5 s); the health section is ignored");
        unsupportedButHarmless(root, "reporting", "error reporting services are not supported; ignored");
        unsupportedButHarmless(root, "validation", "manifest URL validation settings are not supported; ignored");
        unsupportedButHarmless(root, "compatibility", "schema1 is always refused; ignored");
        ImmutableTags immutableTags = TagsBinder.bind(root.section("tags"));
        ServerConfig.Auth auth = AuthBinder.bind(root);
        refuseIfConfigured(root.section("middleware"), "middleware is not supported");
        List<Upstream> upstreams = ProxyBinder.bind(root.section("proxy"));
        int maxEntries = root.section("catalog").integer("maxentries", 1000, 1, 100_000);
        ServerConfig.Retention retention = RetentionBinder.bind(root.section("retention"), storage);
        ServerConfig.Notifications notifications = NotificationsBinder.bind(root.section("notifications"));
        ServerConfig.Ui ui = UiBinder.bind(root.section("ui"));
        for (String unknown : Section.unread(tree, read, readWhole)) {
            warnings.add(unknown + ": unknown key, ignored");
        }
        return new ServerConfig(log, storage, http, auth, maxEntries, warnings, immutableTags, retention, upstreams,
                notifications, ui);
    }

    private static void unsupportedButHarmless(Section root, String name, String why) {
        if (root.has(name)) {
            root.warn(name + ": " + why);
        }
        root.readAll(name);
    }

    private static void refuseIfConfigured(Section section, String why) {
        for (String name : section.names()) {
            section.readAll(name);
            throw new ConfigException(section.key(name), why);
        }
    }
}
