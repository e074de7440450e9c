package dev.berth.spring.boot.autoconfigure;

import dev.berth.registry.spi.Parameters;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.ConditionalGenericConverter;

/**
 * Binds the {@code berth.*} durations marked {@link ConfigDuration} as the server's {@code config.yml} reads them,
 * with the server's own parser ({@link Parameters#parseDuration}: Go's {@code 1h30m}, {@code 500ms}, {@code 1.5h}, a
 * bare number of seconds, ISO-8601 {@code PT5M}), and otherwise as Spring does ({@code 7d}, {@code 10s}). A bare
 * number is seconds, as in {@code config.yml}, not Spring's milliseconds. A text that is neither is refused, and
 * Spring's startup report names the property.
 */
final class ConfigDurationConverter implements ConditionalGenericConverter {
    @Override
    public Set<ConvertiblePair> getConvertibleTypes() {
        return Set.of(new ConvertiblePair(String.class, Duration.class));
    }

    @Override
    public boolean matches(TypeDescriptor sourceType, TypeDescriptor targetType) {
        return targetType.hasAnnotation(ConfigDuration.class);
    }

    @Override
    public Object convert(Object source, TypeDescriptor sourceType, TypeDescriptor targetType) {
        return source == null ? null : parse(source.toString());
    }

    /** The duration {@code text} says; null for an empty text, as Spring binds one. */
    static Duration parse(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return Parameters.parseDuration(text);
        } catch (IllegalArgumentException go) {
            try {
                return DurationStyle.detectAndParse(text.trim(), ChronoUnit.SECONDS);
            } catch (IllegalArgumentException spring) {
                // Parameters' message shows the server's forms; Spring's own one is named after them. No cause: Spring's
                // startup report shows the innermost cause's message, and this one says it all.
                throw new IllegalArgumentException(go.getMessage() + ", or as Spring writes one: 7d");
            }
        }
    }
}
