package dev.berth.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one YAML reader of the configuration. It builds the tree from the YAML parser's tokens itself, as
 * {@code ObjectMapper.readTree} does (the same node for each token: numbers by the parser's type, a repeated key's last
 * value), without an {@code ObjectMapper}: building one and its deserializers took about a fifth of the server's
 * start, for a file of a few keys.
 */
final class Yaml {
    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Yaml() {
    }

    /**
     * The first document of {@code text}: null when there is none (empty text), else its node ({@code NullNode} for
     * a document that is only {@code null}).
     */
    static JsonNode readTree(String text) throws JsonProcessingException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            return t == null ? null : node(p, t);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a String is read without I/O
        }
    }

    private static JsonNode node(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k == JsonToken.FIELD_NAME; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, node(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    a.add(node(p, e));
                }
                return a;
            }
            case VALUE_STRING -> {
                return NODES.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return switch (p.getNumberType()) {
                    case BIG_DECIMAL -> NODES.numberNode(p.getDecimalValue());
                    case FLOAT -> NODES.numberNode(p.getFloatValue());
                    default -> NODES.numberNode(p.getDoubleValue());
                };
            }
            case VALUE_TRUE -> {
                return NODES.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return NODES.booleanNode(false);
            }
            case VALUE_NULL -> {
                return NODES.nullNode();
            }
            case VALUE_EMBEDDED_OBJECT -> {
                Object o = p.getEmbeddedObject();
                return o instanceof byte[] bytes ? NODES.binaryNode(bytes) : NODES.pojoNode(o);
            }
            default -> throw new IllegalStateException("unexpected YAML token " + t);
        }
    }

    /** An environment variable's value, parsed as YAML; a value YAML cannot read stays a plain string. */
    static JsonNode parseValue(String key, String text) {
        if (text.isEmpty()) {
            return TextNode.valueOf("");
        }
        try {
            JsonNode node = readTree(text);
            return node == null || node.isMissingNode() ? TextNode.valueOf(text) : node;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text);
        }
    }

    /**
     * A mapping as plain Java values, as {@code ObjectMapper.convertValue(node, LinkedHashMap.class)} gives them:
     * mappings as {@link LinkedHashMap}, lists as {@link ArrayList}, scalars as their {@code String}, {@code Boolean},
     * number or null.
     */
    static Map<String, Object> plain(ObjectNode node) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            map.put(e.getKey(), plainValue(e.getValue()));
        }
        return map;
    }

    private static Object plainValue(JsonNode v) {
        if (v.isObject()) {
            return plain((ObjectNode) v);
        }
        if (v.isArray()) {
            List<Object> list = new ArrayList<>(v.size());
            for (JsonNode e : v) {
                list.add(plainValue(e));
            }
            return list;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.numberValue();
        }
        if (v.isBinary()) {
            try {
                return v.binaryValue();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (v.isPojo()) {
            return ((POJONode) v).getPojo();
        }
        return null; // null and missing
    }
}
