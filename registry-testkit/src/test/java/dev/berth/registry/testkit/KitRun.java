package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedMethod;

import java.util.List;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one test of a kit against one implementation through the JUnit launcher, for the tests that prove a kit fails
 * a broken implementation (each with one bug) and passes a faithful one through the same harness.
 */
final class KitRun {
    private KitRun() {
    }

    static TestExecutionSummary run(Class<?> kit, String test) {
        return run(selectMethod(kit, test));
    }

    /** Runs one test of the {@code @Nested} group {@code group} of the kit {@code enclosing} (outermost first). */
    static TestExecutionSummary run(List<Class<?>> enclosing, Class<?> group, String test) {
        return run(selectNestedMethod(enclosing, group, test));
    }

    private static TestExecutionSummary run(DiscoverySelector selector) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selector)
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        return listener.getSummary();
    }

    /** The test exists and fails against {@code broken}. */
    static void assertFails(Class<?> broken, String test) {
        assertFailed(run(broken, test), broken, test);
    }

    /** The test of a kit's group exists and fails in the kit {@code broken} (outermost first). */
    static void assertFails(List<Class<?>> broken, Class<?> group, String test) {
        assertFailed(run(broken, group, test), broken.get(broken.size() - 1), test);
    }

    /** The test exists and passes against {@code faithful}; a failure's exception is shown. */
    static void assertPasses(Class<?> faithful, String test) {
        assertPassed(run(faithful, test), test);
    }

    /** The test of a kit's group exists and passes in the kit {@code faithful} (outermost first). */
    static void assertPasses(List<Class<?>> faithful, Class<?> group, String test) {
        assertPassed(run(faithful, group, test), test);
    }

    private static void assertFailed(TestExecutionSummary summary, Class<?> broken, String test) {
        assertThat(summary.getTestsFoundCount()).as("tests found").isEqualTo(1);
        assertThat(summary.getTestsFailedCount()).as("%s should fail %s", broken.getSimpleName(), test).isEqualTo(1);
    }

    private static void assertPassed(TestExecutionSummary summary, String test) {
        assertThat(summary.getTestsFoundCount()).as("tests found").isEqualTo(1);
        assertThat(summary.getFailures()).as("failures of %s", test)
                .extracting(f -> f.getException().toString()).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
    }
}
