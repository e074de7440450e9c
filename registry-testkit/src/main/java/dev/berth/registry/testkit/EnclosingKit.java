package dev.berth.registry.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands a group of checks the {@link StorageDriverKit} it is a {@code @Nested} class of, so that the group builds its
 * driver with the kit's {@code createDriver()} and hooks; {@code null} when the group runs on its own (a test that
 * overrides the group's {@code createDriver()} itself).
 */
final class EnclosingKit implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == StorageDriverKit.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRequiredTestInstances().findInstance(StorageDriverKit.class).orElse(null);
    }
}
