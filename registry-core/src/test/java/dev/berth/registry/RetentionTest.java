package dev.berth.registry;

import static dev.berth.registry.TestImages.push;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.Reference;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.policy.ImmutableTags;
import dev.berth.registry.repository.Repository;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retention over the in-memory driver, whose modification times come from a clock the test moves: each tag is pushed
 * one minute after the previous one, so push order is known.
 */
class RetentionTest {
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    final TestImages.ManualClock clock = new TestImages.ManualClock(START);
    final InMemoryStorageDriver driver = new InMemoryStorageDriver(clock);
    final Registry registry = Registry.builder().storage(driver)
            .immutableTags(ImmutableTags.of(new ImmutableTags.Rule(List.of("ci/locked"), List.of("v*"))))
            .build();
    final Map<String, Digest> digests = new LinkedHashMap<>();

    @AfterEach
    void close() throws Exception {
        registry.close();
    }

    /** Pushes each tag (a distinct image) a minute after the last. */
    void pushInOrder(String repository, String... tags) {
        for (String tag : tags) {
            clock.advance(Duration.ofMinutes(1));
            digests.put(repository + ":" + tag, push(registry.repository(repository), tag, repository + tag));
        }
    }

    static List<String> tags(List<RetentionReport.TagEntry> entries) {
        return entries.stream().map(e -> e.tag().value()).toList();
    }

    static RetentionReport.RepositoryReport only(RetentionReport report, String repository) {
        return report.repositories().stream().filter(r -> r.repository().value().equals(repository)).findFirst()
                .orElseThrow(() -> new AssertionError(repository + " is not in " + report));
    }

    @Test
    void keepLastKeepsTheMostRecentlyPushedTagsAndDeletesOnlyTags() {
        pushInOrder("ci/app", "a1", "a2", "a3", "a4", "a5");
        Retention retention = Retention.of(List.of(new RetentionPolicy(List.of("ci/**"), 2, List.of())));

        RetentionReport report = retention.apply(registry);

        RetentionReport.RepositoryReport app = only(report, "ci/app");
        assertThat(tags(app.kept())).containsExactly("a5", "a4");
        assertThat(tags(app.deleted())).containsExactly("a3", "a2", "a1");
        assertThat(app.deleted().get(0).pushed()).isEqualTo(START.plus(Duration.ofMinutes(3)));
        assertThat(app.deleted().get(0).digest()).isEqualTo(digests.get("ci/app:a3"));
        assertThat(app.kept().get(0).reason()).contains("last 2");
        assertThat(report.deletedCount()).isEqualTo(3);
        assertThat(report.dryRun()).isFalse();
        Repository repo = registry.repository("ci/app");
        assertThat(TestImages.tagNames(repo)).containsExactly("a4", "a5");
        // the manifests stay, by digest, for garbage collection to free
        assertThat(repo.manifests().get(Reference.of(digests.get("ci/app:a1")))).isPresent();
    }

    @Test
    void aRepushedTagCountsAsRecent() {
        pushInOrder("ci/app", "old", "b", "c");
        clock.advance(Duration.ofMinutes(1));
        push(registry.repository("ci/app"), "old", "ci/app" + "old-again");
        RetentionReport report = Retention.of(List.of(new RetentionPolicy(List.of("ci/app"), 1, List.of())))
                .dryRun(registry);
        assertThat(tags(only(report, "ci/app").kept())).containsExactly("old");
    }

    @Test
    void policiesKeepTheUnionOfTheirKeepsWhateverTheirOrder() {
        pushInOrder("ci/app", "v1", "latest", "b1", "b2", "b3", "v2", "b4");
        RetentionPolicy lastTwo = new RetentionPolicy(List.of("ci/**"), 2, List.of());
        RetentionPolicy releases = new RetentionPolicy(List.of("ci/app"), 0, List.of("v*", "latest"));
        RetentionPolicy unrelated = new RetentionPolicy(List.of("other/**"), 1, List.of());

        RetentionReport forward = Retention.of(List.of(lastTwo, releases, unrelated)).dryRun(registry);
        RetentionReport backward = Retention.of(List.of(unrelated, releases, lastTwo)).dryRun(registry);

        RetentionReport.RepositoryReport app = only(forward, "ci/app");
        assertThat(tags(app.kept())).containsExactlyInAnyOrder("b4", "v2", "latest", "v1");
        assertThat(tags(app.deleted())).containsExactly("b3", "b2", "b1");
        assertThat(tags(only(backward, "ci/app").kept())).containsExactlyInAnyOrderElementsOf(tags(app.kept()));
        assertThat(tags(only(backward, "ci/app").deleted())).isEqualTo(tags(app.deleted()));
    }

    @Test
    void repositoriesNoPolicyAppliesToAreUntouchedAndUnreported() {
        pushInOrder("ci/app", "a1", "a2");
        pushInOrder("prod/app", "p1", "p2", "p3");
        RetentionReport report = Retention.of(List.of(new RetentionPolicy(List.of("ci/*"), 1, List.of())))
                .apply(registry);
        assertThat(report.repositories()).extracting(r -> r.repository().value()).containsExactly("ci/app");
        assertThat(TestImages.tagNames(registry.repository("prod/app"))).containsExactly("p1", "p2", "p3");
        assertThat(TestImages.tagNames(registry.repository("ci/app"))).containsExactly("a2");
    }

    @Test
    void immutableTagsAreNeverDeleted() {
        pushInOrder("ci/locked", "v1", "b1", "v2", "b2", "b3");
        RetentionReport report = Retention.of(List.of(new RetentionPolicy(List.of("ci/**"), 1, List.of())))
                .apply(registry);
        RetentionReport.RepositoryReport locked = only(report, "ci/locked");
        assertThat(tags(locked.kept())).containsExactly("b3", "v2", "v1");
        assertThat(locked.kept().get(1).reason()).isEqualTo("immutable");
        assertThat(tags(locked.deleted())).containsExactly("b2", "b1");
        assertThat(TestImages.tagNames(registry.repository("ci/locked"))).containsExactly("b3", "v1", "v2");
    }

    @Test
    void aDryRunReportsWhatApplyDoesAndDeletesNothing() {
        pushInOrder("ci/app", "a1", "a2", "a3", "latest");
        pushInOrder("ci/lib", "l1", "l2");
        Retention retention = Retention.of(List.of(new RetentionPolicy(List.of("ci/**"), 1, List.of("latest"))));

        RetentionReport dry = retention.dryRun(registry);
        assertThat(dry.dryRun()).isTrue();
        assertThat(TestImages.tagNames(registry.repository("ci/app"))).containsExactly("a1", "a2", "a3", "latest");
        assertThat(TestImages.tagNames(registry.repository("ci/lib"))).containsExactly("l1", "l2");

        RetentionReport applied = retention.apply(registry);
        assertThat(applied.repositories()).isEqualTo(dry.repositories());
        // latest is both the last pushed and kept by name
        assertThat(tags(only(applied, "ci/app").deleted())).containsExactly("a3", "a2", "a1");
        assertThat(TestImages.tagNames(registry.repository("ci/app"))).containsExactly("latest");
        assertThat(TestImages.tagNames(registry.repository("ci/lib"))).containsExactly("l2");
        // a second run has nothing left to do
        assertThat(retention.apply(registry).deletedCount()).isZero();
    }

    @Test
    void applyIsUnsupportedWhenDeletesAreDisabledButADryRunWorks() throws Exception {
        pushInOrder("ci/app", "a1", "a2");
        try (Registry noDeletes = Registry.builder().storage(driver).deletesEnabled(false).build()) {
            Retention retention = Retention.of(List.of(new RetentionPolicy(List.of("**"), 1, List.of())));
            assertThatThrownBy(() -> retention.apply(noDeletes)).isInstanceOfSatisfying(RegistryException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED));
            assertThat(retention.dryRun(noDeletes).deletedCount()).isEqualTo(1);
            assertThat(TestImages.tagNames(noDeletes.repository("ci/app"))).containsExactly("a1", "a2");
        }
    }

    @Test
    void equalPushTimesAreOrderedByTagName() {
        Repository repo = registry.repository("ci/same");
        List<String> names = new ArrayList<>(List.of("c", "a", "b"));
        for (String n : names) {
            push(repo, n, "same" + n); // the clock does not move
        }
        RetentionReport report = Retention.of(List.of(new RetentionPolicy(List.of("ci/same"), 1, List.of())))
                .dryRun(registry);
        assertThat(tags(only(report, "ci/same").kept())).containsExactly("a");
        assertThat(tags(only(report, "ci/same").deleted())).containsExactly("b", "c");
    }

    @Test
    void policiesAreValidated() {
        assertThatThrownBy(() -> new RetentionPolicy(List.of(), 1, List.of())).hasMessageContaining("repositories");
        assertThatThrownBy(() -> new RetentionPolicy(List.of("a"), -1, List.of())).hasMessageContaining("keepLast");
        assertThatThrownBy(() -> new RetentionPolicy(List.of("a"), 0, List.of()))
                .hasMessageContaining("must keep something");
        assertThatThrownBy(() -> new RetentionPolicy(List.of("a"), 1, List.of(""))).hasMessageContaining("keepTags");
        assertThat(new RetentionPolicy(List.of("ci/**"), 1, List.of()).appliesTo(RepositoryName.parse("ci"))).isTrue();
        assertThat(Retention.of(List.of()).apply(registry).repositories()).isEmpty();
    }
}
