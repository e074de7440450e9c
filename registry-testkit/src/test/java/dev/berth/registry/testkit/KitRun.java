package dev.berth.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

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
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectMethod(kit, test))
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        return listener.getSummary();
    }

    /** The test exists and fails against {@code broken}. */
    static void assertFails(Class<?> broken, String test) {
        TestExecutionSummary summary = run(broken, test);
        assertThat(summary.getTestsFoundCount()).as("tests found").isEqualTo(1);
        assertThat(summary.getTestsFailedCount()).as("%s should fail %s", broken.getSimpleName(), test).isEqualTo(1);
    }

    /** The test exists and passes against {@code faithful}; a failure's exception is shown. */
    static void assertPasses(Class<?> faithful, String test) {
        TestExecutionSummary summary = run(faithful, test);
        assertThat(summary.getTestsFoundCount()).as("tests found").isEqualTo(1);
        assertThat(summary.getFailures()).as("failures of %s", test)
                .extracting(f -> f.getException().toString()).isEmpty();
        assertThat(summary.getTestsSucceededCount()).isEqualTo(1);
    }
}
