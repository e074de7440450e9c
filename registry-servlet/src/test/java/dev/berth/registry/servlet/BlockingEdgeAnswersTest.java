package dev.berth.registry.servlet;

/** The whole of {@link EdgeAnswersTest} against the servlet registered without asynchronous support. */
class BlockingEdgeAnswersTest extends EdgeAnswersTest {
    @Override
    boolean async() {
        return false;
    }
}
