package dev.berth.notifications;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.berth.registry.events.RegistryEvent;
import dev.berth.registry.model.Descriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes events in distribution's JSON: an envelope {@code {"events":[...]}} of events whose fields are named and
 * left out as distribution's are ({@code target.length} repeats {@code size}; empty optional fields are omitted;
 * {@code request.id}, {@code method} and {@code useragent} are always there).
 */
public final class EventJson {
    /** The Content-Type of an envelope. */
    public static final String MEDIA_TYPE = "application/vnd.docker.distribution.events.v1+json";

    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJson() {
    }

    /** The envelope holding {@code events}, as UTF-8 JSON. */
    public static byte[] envelope(List<RegistryEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512 * Math.max(1, events.size()));
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("events");
            for (RegistryEvent e : events) {
                write(g, e);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, RegistryEvent e) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", e.id());
        g.writeStringField("timestamp", e.timestamp().toString());
        g.writeStringField("action", e.action().wireName());

        RegistryEvent.Target t = e.target();
        g.writeObjectFieldStart("target");
        optional(g, "mediaType", t.mediaType());
        if (t.digest() != null) {
            g.writeStringField("digest", t.digest().toString());
        }
        if (t.size() >= 0) {
            g.writeNumberField("size", t.size());
            g.writeNumberField("length", t.size());
        }
        optional(g, "repository", t.repository());
        optional(g, "fromRepository", t.fromRepository());
        optional(g, "url", t.url());
        optional(g, "tag", t.tag());
        if (!t.references().isEmpty()) {
            g.writeArrayFieldStart("references");
            for (Descriptor d : t.references()) {
                descriptor(g, d);
            }
            g.writeEndArray();
        }
        g.writeEndObject();

        RegistryEvent.Request r = e.request();
        g.writeObjectFieldStart("request");
        g.writeStringField("id", r.id());
        optional(g, "addr", r.addr());
        optional(g, "host", r.host());
        g.writeStringField("method", r.method());
        g.writeStringField("useragent", r.userAgent());
        g.writeEndObject();

        g.writeObjectFieldStart("actor");
        optional(g, "name", e.actor().name());
        g.writeEndObject();

        g.writeObjectFieldStart("source");
        optional(g, "addr", e.source().addr());
        optional(g, "instanceID", e.source().instanceId());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void descriptor(JsonGenerator g, Descriptor d) throws IOException {
        g.writeStartObject();
        g.writeStringField("mediaType", d.mediaType());
        g.writeStringField("digest", d.digest().toString());
        g.writeNumberField("size", d.size());
        if (!d.urls().isEmpty()) {
            g.writeArrayFieldStart("urls");
            for (String u : d.urls()) {
                g.writeString(u);
            }
            g.writeEndArray();
        }
        if (!d.annotations().isEmpty()) {
            g.writeObjectFieldStart("annotations");
            for (Map.Entry<String, String> a : d.annotations().entrySet()) {
                g.writeStringField(a.getKey(), a.getValue());
            }
            g.writeEndObject();
        }
        optional(g, "artifactType", d.artifactType());
        g.writeEndObject();
    }

    private static void optional(JsonGenerator g, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            g.writeStringField(name, value);
        }
    }
}
