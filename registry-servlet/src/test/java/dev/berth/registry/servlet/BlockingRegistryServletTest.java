package dev.berth.registry.servlet;

/**
 * The whole of {@link RegistryServletTest} against the servlet registered without asynchronous support, where it
 * falls back to blocking a thread per transfer (a container or filter chain that cannot go asynchronous).
 */
class BlockingRegistryServletTest extends RegistryServletTest {
    @Override
    boolean async() {
        return false;
    }
}
